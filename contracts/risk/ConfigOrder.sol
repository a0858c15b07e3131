// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILeverageVault} from "../interfaces/ILeverageVault.sol";
import {IVaultAutomation} from "../interfaces/IVaultAutomation.sol";

/// @title ConfigOrder
/// @notice Which parameter changes only tighten risk (applied at once) and which loosen it (timelocked).
///         A change tightens when no field moves in the riskier direction; anything else is a loosening.
library ConfigOrder {
    /// @dev Less leverage, a higher health-factor floor.
    function leverageTightens(ILeverageVault.LeverageConfig memory next, ILeverageVault.LeverageConfig memory current)
        internal
        pure
        returns (bool)
    {
        return next.targetLeverage <= current.targetLeverage && next.minLeverage <= current.minLeverage
            && next.maxLeverage <= current.maxLeverage && next.minHealthFactor >= current.minHealthFactor;
    }

    /// @dev Slippage down on the same pool; the deposit cap moves freely (it bounds size, not the holders' risk).
    function executionTightens(ILeverageVault.ExecutionConfig memory next, ILeverageVault.ExecutionConfig memory current)
        internal
        pure
        returns (bool)
    {
        return next.maxSlippageBps <= current.maxSlippageBps && next.swapFee == current.swapFee;
    }

    /// @dev Narrower trade guards, smaller trades and rewards, longer cooldown, the ripcord armed earlier.
    function automationTightens(
        IVaultAutomation.AutomationConfig memory next,
        IVaultAutomation.AutomationConfig memory current
    ) internal pure returns (bool) {
        return next.criticalHealthFactor >= current.criticalHealthFactor
            && next.maxDexDeviationBps <= current.maxDexDeviationBps && next.maxEquityLossBps <= current.maxEquityLossBps
            && next.cooldown >= current.cooldown && next.ripcordRewardBps <= current.ripcordRewardBps
            && next.maxTradeSize <= current.maxTradeSize && next.ripcordRewardCap <= current.ripcordRewardCap;
    }

    /// @dev A stop raised or added, a trail narrowed or added, a take-profit lowered or added, less leverage kept
    ///      after it; the stop-to-debt-asset choice is the depositors' and never changes at once.
    function exitTightens(IVaultAutomation.ExitConfig memory next, IVaultAutomation.ExitConfig memory current)
        internal
        pure
        returns (bool)
    {
        bool trailTightens = current.trailBps == 0 || (next.trailBps != 0 && next.trailBps <= current.trailBps);
        bool takeProfitTightens = next.takeProfitPrice == current.takeProfitPrice
            || (next.takeProfitPrice != 0 && (current.takeProfitPrice == 0 || next.takeProfitPrice < current.takeProfitPrice));
        return next.stopLossPrice >= current.stopLossPrice && trailTightens && takeProfitTightens
            && next.takeProfitLeverage <= current.takeProfitLeverage && next.stopToDebtAsset == current.stopToDebtAsset;
    }

    /// @dev On (from off), a longer horizon, a larger k, a lower floor leverage, the same round count.
    function volatilityTightens(
        IVaultAutomation.VolatilityConfig memory next,
        IVaultAutomation.VolatilityConfig memory current
    ) internal pure returns (bool) {
        if (current.horizon == 0) return true;
        return next.horizon >= current.horizon && next.sigmaMultiple >= current.sigmaMultiple
            && next.floorLeverage <= current.floorLeverage && next.rounds == current.rounds;
    }
}
