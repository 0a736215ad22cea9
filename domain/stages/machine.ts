import type { LifecycleStage } from '../../db/schema/enums';
import type { FieldProblem } from '../errors';

/** One allowed move of the agreement's stage machine. */
export interface AllowedMove {
  from: LifecycleStage;
  to: LifecycleStage;
  requiresReason: boolean;
  automatic: boolean;
}

export interface MoveRequest {
  from: LifecycleStage;
  to: LifecycleStage;
  /** 'system' moves must be marked automatic in the agreement. */
  actor: 'system' | 'user';
  reasonCode?: string | null;
}

/**
 * Why a move is not allowed, or an empty list when it is. The stage machine is enforced everywhere
 * a stage changes: by rules, by users, by imports.
 */
export function checkMove(moves: readonly AllowedMove[], request: MoveRequest, knownReasonCodes?: ReadonlySet<string>): FieldProblem[] {
  if (request.from === request.to) return [{ field: 'input.stage', message: `the lead is already ${request.to}` }];
  const move = moves.find((m) => m.from === request.from && m.to === request.to);
  if (!move) {
    const allowed = moves.filter((m) => m.from === request.from).map((m) => m.to);
    return [
      {
        field: 'input.stage',
        message: `the agreement does not allow ${request.from} → ${request.to}${allowed.length ? ` (from ${request.from}: ${allowed.join(', ')})` : ''}`,
      },
    ];
  }
  if (request.actor === 'system' && !move.automatic) {
    return [{ field: 'input.stage', message: `${request.from} → ${request.to} must be made by a person, not automatically` }];
  }
  if (move.requiresReason && !request.reasonCode) {
    return [{ field: 'input.reasonCode', message: `${request.from} → ${request.to} needs a reason code` }];
  }
  if (request.reasonCode && knownReasonCodes && !knownReasonCodes.has(request.reasonCode)) {
    return [{ field: 'input.reasonCode', message: `unknown reason code "${request.reasonCode}"` }];
  }
  return [];
}
