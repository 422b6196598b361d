// Approval: asking a human approver, with a deadline that can only ever reject.
export { requestApproval } from "./request-approval.js";
export type {
  ApprovalOutcome,
  ApprovalReason,
  ApprovalRequest,
  Approver,
  ApproverAnswer,
  ApprovalTimers,
  Tier,
} from "./request-approval.js";
