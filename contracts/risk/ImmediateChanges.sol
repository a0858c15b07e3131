// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILeverageVault} from "../interfaces/ILeverageVault.sol";
import {IVaultAutomation} from "../interfaces/IVaultAutomation.sol";

/// @title ImmediateChanges
/// @notice Which parameter changes may apply at once, judged by their effect on holders and on the automation
///         (ROLE-2 in docs/PROPERTIES.md), not by the direction a field moves. A change applies at once only if it
///         cannot (a) let any action trade at wider bounds, (b) stop the keeper or the ripcord from delevering a
///         position at or below the floor, (c) make an exit fail, or (d) cost holders more than the loss bound of
///         what an action trades. Everything else waits out the timelock, in either direction.
library ImmediateChanges {
    /// @dev A lower target and band only make the band deleverage due, at the configured bounds. The HF floor
    ///      stays: raising it would put the position under it at once and widen the health action's bounds.
    function leverage(ILeverageVault.LeverageConfig memory next, ILeverageVault.LeverageConfig memory current)
        internal
        pure
        returns (bool)
    {
        return next.targetLeverage <= current.targetLeverage && next.minLeverage <= current.minLeverage
            && next.maxLeverage <= current.maxLeverage && next.minHealthFactor == current.minHealthFactor;
    }

    /// @dev The deposit cap alone: it bounds size, never an exit. A slippage cut can freeze exits (a 1 % redeem
    ///      fails just above the pool fee), a raise widens every trade: both wait.
    function execution(ILeverageVault.ExecutionConfig memory next, ILeverageVault.ExecutionConfig memory current)
        internal
        pure
        returns (bool)
    {
        return next.maxSlippageBps == current.maxSlippageBps && next.swapFee == current.swapFee;
    }

    /// @dev A longer cooldown alone (it holds back band rebalances only, never the health action or the ripcord).
    ///      A smaller trade size or deviation bound can switch off the backstop, a higher critical HF arms the
    ///      urgent bounds, a smaller reward takes the ripcord's incentive away: all wait.
    function automation(
        IVaultAutomation.AutomationConfig memory next,
        IVaultAutomation.AutomationConfig memory current
    ) internal pure returns (bool) {
        return next.cooldown >= current.cooldown && next.criticalHealthFactor == current.criticalHealthFactor
            && next.maxDexDeviationBps == current.maxDexDeviationBps && next.maxEquityLossBps == current.maxEquityLossBps
            && next.ripcordRewardBps == current.ripcordRewardBps && next.maxTradeSize == current.maxTradeSize
            && next.ripcordRewardCap == current.ripcordRewardCap;
    }

    /// @dev A stop raised or added, a trail narrowed or added, a take-profit lowered or added, less leverage kept
    ///      after it: each makes an exit action due, which trades at the bounds a health deleverage would have at
    ///      the same health factor (never wider) and within the loss bound. The stop-to-debt-asset choice is the
    ///      depositors' and never changes at once.
    function exits(IVaultAutomation.ExitConfig memory next, IVaultAutomation.ExitConfig memory current)
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

    /// @dev On (from off), a longer horizon, a larger k, a lower floor leverage, the same round count: each only
    ///      lowers the effective target (a band deleverage at the configured bounds).
    function volatility(
        IVaultAutomation.VolatilityConfig memory next,
        IVaultAutomation.VolatilityConfig memory current
    ) internal pure returns (bool) {
        if (current.horizon == 0) return true;
        return next.horizon >= current.horizon && next.sigmaMultiple >= current.sigmaMultiple
            && next.floorLeverage <= current.floorLeverage && next.rounds == current.rounds;
    }
}
