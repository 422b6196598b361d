// Approval: a human decides, once, within a deadline, and only a member of the tool's approver groups.
// `createApprovalService` is the pending-request book with its HTTP API, inbox and webhook; its
// `approver` plugs into `createGuard`. `createRemoteApprover` asks such a service from another process.
export { LATE_ANSWER_GRACE_MS, requestApproval } from "./request-approval.js";
export type {
  ApprovalOutcome,
  ApprovalReason,
  ApprovalRequest,
  ApprovalStatus,
  ApprovalTimers,
  Approver,
  ApproverAnswer,
  Tier,
} from "./request-approval.js";
export {
  createApprovalService,
  describeRequest,
  type ApprovalService,
  type ApprovalServiceOptions,
  type KillSwitch,
} from "./approval-service.js";
export {
  bearerToken,
  hashToken,
  loadApproverDirectory,
  type ApproverDirectory,
  type ApproverDirectoryConfig,
  type DirectoryError,
  type DirectoryLoad,
  type Principal,
} from "./approver-directory.js";
export {
  PendingApprovals,
  mayDecide,
  type ApprovalRequestRecord,
  type DecideResult,
  type Decider,
  type OpenRequest,
  type PendingApprovalsOptions,
  type RequestStatus,
} from "./pending-approvals.js";
export { approvalArgsDigest, newApprovalId } from "./approval-id.js";
export { createRemoteApprover, type RemoteApproverOptions } from "./remote-approver.js";
export { webhookText, type WebhookOptions } from "./webhook.js";
