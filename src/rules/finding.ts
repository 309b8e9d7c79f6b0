import type { RuleMetadata, Severity } from './rule-file.js';

export type SubjectKind = 'credential' | 'principal' | 'client_ip';

export interface Evidence {
  file: string;
  line: number;
  ts: string;
  method: string | null;
  path: string | null;
  status: number | null;
  client_ip: string | null;
  user_agent: string | null;
  /** The query string, secrets already replaced by REDACTED at ingest. */
  query: string | null;
}

/** One rule firing for one subject during one episode. */
export interface Finding {
  /** Stable across machines and re-exports: hash of rule id, subject and episode start. */
  id: string;
  ruleId: string;
  severity: Severity;
  title: string;
  message: string;
  subject: {
    kind: SubjectKind;
    credentialFingerprint: string | null;
    principal: string | null;
    clientIp: string | null;
    clientIps: string[];
    userAgents: string[];
  };
  firstSeen: string;
  lastSeen: string;
  eventCount: number;
  distinctPaths: number;
  details: string[];
  evidence: Evidence[];
  rule: Pick<RuleMetadata, 'description' | 'remediation' | 'references' | 'tags' | 'falsepositives'>;
}
