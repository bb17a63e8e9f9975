/** The `security-group` rule and the pure core of the `sg-drift-revert` responder. */
export {
  BASELINE_TAG_KEY,
  type Baseline,
  BaselineError,
  type BaselineResolution,
  diffAgainstBaseline,
  parseBaselines,
  resolveBaseline,
} from './baselines.ts';
export {
  isSecurityGroupEvent,
  readSecurityGroupCall,
  SECURITY_GROUP_EVENT_NAMES,
  type SecurityGroupCall,
} from './events.ts';
export {
  DEFAULT_BLOCKED_PORTS,
  parseSecurityGroupParameters,
  type SecurityGroupParams,
} from './parameters.ts';
export {
  describeRule,
  type GroupState,
  groupStateFromApi,
  groupStateFromConfiguration,
  ruleKey,
  type SgRule,
} from './permissions.ts';
export {
  applyPlan,
  enforcedRules,
  type PlannedChange,
  planRemediation,
  type RemediationPlan,
} from './plan.ts';
export {
  type ChangeResult,
  type DriftRevertSettings,
  driftRevertResponder,
  failureNotice,
  outcomeOf,
  parseDriftRevertSettings,
  RESPONDER_NAME,
  remediationNotice,
} from './responder.ts';
export { judgeSecurityGroup, SECURITY_GROUP_RESOURCE_TYPE, securityGroupRule } from './rule.ts';
