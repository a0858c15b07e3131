// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILeverageVault} from "../interfaces/ILeverageVault.sol";
import {IVaultAutomation} from "../interfaces/IVaultAutomation.sol";
import {LeverageMath} from "../libraries/LeverageMath.sol";

/// @title PostConditions
/// @notice What every keeper or ripcord action must have achieved, checked on the state after it (mutate, then
///         check, as Morpho Blue does). Property ids refer to docs/PROPERTIES.md.
library PostConditions {
    /// @param target Leverage the action aimed for (wad).
    /// @param minHealthFactor Floor a lever-up must respect (wad).
    /// @param maxLoss Oracle equity the action may cost (wad USD).
    function check(
        IVaultAutomation.Action action,
        uint256 target,
        ILeverageVault.PositionState memory before,
        ILeverageVault.PositionState memory afterAction,
        uint256 minHealthFactor,
        uint256 maxLoss
    ) internal pure {
        if (action == IVaultAutomation.Action.ReleverBand) {
            // VAULT-HF-2: a lever-up never ends below the health-factor floor.
            if (afterAction.healthFactor < minHealthFactor) {
                revert ILeverageVault.VaultHealthFactorTooLow(afterAction.healthFactor, minHealthFactor);
            }
        } else if (afterAction.healthFactor < before.healthFactor) {
            // VAULT-HF-1: a deleverage never lowers the health factor.
            revert IVaultAutomation.KeeperHealthFactorDecreased(before.healthFactor, afterAction.healthFactor);
        }
        // VAULT-LEV-1: leverage moves strictly toward the target. Selling collateral into the debt asset once the
        // debt is gone keeps leverage at 1x, so there is nothing to improve then; repaying the last of the debt on
        // the way to 1x is the end of the road even when a dust debt left the leverage at 1x in wad.
        if (before.debt != 0 && !(target == LeverageMath.WAD && afterAction.debt == 0)) {
            uint256 distanceBefore = LeverageMath.distance(before.leverage, target);
            if (LeverageMath.distance(afterAction.leverage, target) >= distanceBefore) {
                revert IVaultAutomation.KeeperLeverageNotImproved(before.leverage, afterAction.leverage, target);
            }
        }
        // VAULT-EQ-1: an action costs at most the max-loss bound of oracle equity.
        uint256 loss = before.equityValue > afterAction.equityValue ? before.equityValue - afterAction.equityValue : 0;
        if (loss > maxLoss) revert IVaultAutomation.KeeperEquityLossExceeded(loss, maxLoss);
    }
}
