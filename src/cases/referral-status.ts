/** A referral's life at the agency, as pure rules. */

export const REFERRAL_STATUSES = ["sent", "accepted", "in_progress", "closed", "returned"] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** The agency still owes an answer; closed and returned referrals are finished (nothing moves them on). */
export const OPEN_REFERRAL_STATUSES = ["sent", "accepted", "in_progress"] as const satisfies readonly ReferralStatus[];

const NEXT: Record<ReferralStatus, readonly ReferralStatus[]> = {
  sent: ["accepted", "returned", "closed"],
  accepted: ["in_progress", "closed", "returned"],
  in_progress: ["closed", "returned"],
  closed: [],
  returned: [],
};

export const canMove = (from: ReferralStatus, to: ReferralStatus) => NEXT[from].includes(to);
export const allowedNext = (from: ReferralStatus) => NEXT[from];

export const isOpenReferral = (status: ReferralStatus) => (OPEN_REFERRAL_STATUSES as readonly ReferralStatus[]).includes(status);
/** When an agency that got a referral at `from` is overdue: REFERRAL_DUE_HOURS later. */
export const referralDueAt = (from: number, dueHours: number) => from + dueHours * 3_600_000;
export const isOverdue = (r: { status: ReferralStatus; dueAt: number }, now: number) => isOpenReferral(r.status) && r.dueAt <= now;
