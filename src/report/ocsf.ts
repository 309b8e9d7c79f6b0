// OCSF export: one Detection Finding (class_uid 2004) per finding, one JSON object per line, so a
// SIEM or a data lake can ingest apiaudit's findings. The OCSF version is pinned: consumers pick
// attribute meanings by metadata.version, and only fields that this version defines are used
// (apiaudit's own facts go to `unmapped`).
import type { FindingV1, ReportV1 } from './report-schema.js';

export const OCSF_VERSION = '1.3.0';

const CLASS_UID = 2004;
const CATEGORY_UID = 2; // Findings
const ACTIVITY_CREATE = 1;
const SEVERITY_IDS = { info: 1, low: 2, medium: 3, high: 4, critical: 5 } as const;
const SEVERITY_NAMES = { info: 'Informational', low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' } as const;
// OCSF observable type ids
const OBSERVABLE = { ip: 2, userName: 4, hash: 8, userAgent: 16 } as const;

const ms = (iso: string) => Date.parse(iso);

function observables(f: FindingV1) {
  const list: Array<{ name: string; type_id: number; value: string }> = [];
  if (f.subject.credential_fingerprint) list.push({ name: 'unmapped.credential_fingerprint', type_id: OBSERVABLE.hash, value: f.subject.credential_fingerprint });
  if (f.subject.principal) list.push({ name: 'evidences.actor.user.name', type_id: OBSERVABLE.userName, value: f.subject.principal });
  for (const ip of f.subject.client_ips) list.push({ name: 'evidences.src_endpoint.ip', type_id: OBSERVABLE.ip, value: ip });
  for (const ua of f.subject.user_agents) list.push({ name: 'unmapped.user_agents', type_id: OBSERVABLE.userAgent, value: ua });
  return list;
}

export function ocsfFinding(f: FindingV1, report: ReportV1) {
  return {
    activity_id: ACTIVITY_CREATE,
    activity_name: 'Create',
    category_uid: CATEGORY_UID,
    category_name: 'Findings',
    class_uid: CLASS_UID,
    class_name: 'Detection Finding',
    type_uid: CLASS_UID * 100 + ACTIVITY_CREATE,
    type_name: 'Detection Finding: Create',
    severity_id: SEVERITY_IDS[f.severity],
    severity: SEVERITY_NAMES[f.severity],
    // when apiaudit created the finding; the activity it describes spans start_time..end_time
    time: ms(report.generated_at),
    start_time: ms(f.first_seen),
    end_time: ms(f.last_seen),
    count: f.event_count,
    message: f.message,
    metadata: {
      version: OCSF_VERSION,
      product: { name: report.tool.name, vendor_name: report.tool.name, version: report.tool.version },
      uid: f.id,
    },
    finding_info: {
      uid: f.id,
      title: f.title,
      desc: f.description,
      types: [f.rule_id],
      first_seen_time: ms(f.first_seen),
      last_seen_time: ms(f.last_seen),
      created_time: ms(report.generated_at),
      analytic: { uid: f.rule_id, name: f.title, type_id: 1, type: 'Rule' },
      ...(f.tags.attack.length ? { attacks: f.tags.attack.map((uid) => ({ technique: { uid } })) } : {}),
      ...(f.references[0] ? { src_url: f.references[0] } : {}),
    },
    remediation: { desc: f.remediation, references: f.references },
    evidences: f.evidence.map((e) => ({
      src_endpoint: e.client_ip ? { ip: e.client_ip } : undefined,
      actor: f.subject.principal ? { user: { name: f.subject.principal } } : undefined,
      url: { path: e.path ?? undefined, query_string: e.query ?? undefined },
      data: { file: e.file, line: e.line, time: e.ts, method: e.method, status: e.status, user_agent: e.user_agent },
    })),
    observables: observables(f),
    unmapped: {
      rule_id: f.rule_id,
      subject_kind: f.subject.kind,
      credential_fingerprint: f.subject.credential_fingerprint,
      principal: f.subject.principal,
      client_ips: f.subject.client_ips,
      user_agents: f.subject.user_agents,
      distinct_paths: f.distinct_paths,
      details: f.details,
      owasp: f.tags.owasp,
      evidence_shown: f.evidence.length,
    },
  };
}

export function renderOcsf(report: ReportV1): string {
  return report.findings.map((f) => `${JSON.stringify(ocsfFinding(f, report))}\n`).join('');
}
