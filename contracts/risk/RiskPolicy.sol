// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ILeverageVault} from "../interfaces/ILeverageVault.sol";
import {IVaultAutomation} from "../interfaces/IVaultAutomation.sol";

/// @title RiskPolicy
/// @notice Pure decision of the automation: given the position, the parameters and the latched mode, which action
///         is due and the leverage it aims for. Priority: latched unwind, stops (in every mode), take-profit,
///         health floor, band.
library RiskPolicy {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant BPS = 10_000;
    /// @dev Leverage above the take-profit level by more than this (wad) keeps reducing in ProfitTaken mode.
    uint256 internal constant LEVERAGE_TOLERANCE = 0.005e18;

    /// @dev A health-floor deleverage aims at least this far (wad) above the floor, in case the market lowered the
    ///      liquidation threshold so much that even the target leverage sits below the floor.
    uint256 internal constant HEALTH_RESTORE_MARGIN = 0.05e18;

    /// @param position Current position at oracle prices.
    /// @param highWaterMark wad debt per collateral, already raised to the current price.
    /// @param liquidationThresholdBps The market's liquidation threshold for the collateral, bps.
    /// @param dustCollateral Collateral units too small to sell: a stop into the debt asset leaves them.
    function decide(
        ILeverageVault.PositionState memory position,
        ILeverageVault.LeverageConfig memory leverage,
        IVaultAutomation.ExitConfig memory exits,
        IVaultAutomation.Mode mode,
        uint256 highWaterMark,
        uint256 liquidationThresholdBps,
        uint256 dustCollateral
    ) internal pure returns (IVaultAutomation.Action action, uint256 targetLeverage) {
        if (mode == IVaultAutomation.Mode.StoppedOut) {
            // Debt the idle debt asset covers is repaid first by any action (`_sweepIdle`): it does not keep a stop open.
            bool unwound = position.debt <= position.idleDebtAsset
                && (!exits.stopToDebtAsset || position.collateral + position.idleCollateral <= dustCollateral);
            return (unwound ? IVaultAutomation.Action.None : IVaultAutomation.Action.StopLoss, WAD);
        }
        if (position.equityValue == 0) return (IVaultAutomation.Action.None, leverage.targetLeverage);
        // Stops hold in every mode: a take-profit must not disarm them.
        action = stopDue(position, exits, highWaterMark);
        if (action != IVaultAutomation.Action.None) return (action, WAD);
        uint256 price = position.price;
        if (mode == IVaultAutomation.Mode.Active) {
            if (exits.takeProfitPrice != 0 && price >= exits.takeProfitPrice && position.leverage > exits.takeProfitLeverage)
            {
                return (IVaultAutomation.Action.TakeProfit, exits.takeProfitLeverage);
            }
            targetLeverage = leverage.targetLeverage;
        } else {
            targetLeverage = exits.takeProfitLeverage;
            if (position.leverage > targetLeverage + LEVERAGE_TOLERANCE) {
                return (IVaultAutomation.Action.TakeProfit, targetLeverage);
            }
        }
        if (position.healthFactor < leverage.minHealthFactor) {
            return (
                IVaultAutomation.Action.DeleverHealth,
                Math.min(targetLeverage, healthRestoringLeverage(leverage, liquidationThresholdBps))
            );
        }
        if (mode == IVaultAutomation.Mode.Active) {
            if (position.leverage > leverage.maxLeverage) return (IVaultAutomation.Action.DeleverBand, targetLeverage);
            if (position.leverage < leverage.minLeverage) return (IVaultAutomation.Action.ReleverBand, targetLeverage);
        }
        return (IVaultAutomation.Action.None, targetLeverage);
    }

    /// @notice The stop due at `position.price` outside StoppedOut mode (StopLoss before TrailingStop), else None.
    ///         When it is not None and the position has equity, `decide` returns it with a 1x target whatever the
    ///         leverage configuration says: a caller may skip computing that configuration (the volatility read).
    /// @param highWaterMark wad debt per collateral, already raised to the current price.
    function stopDue(ILeverageVault.PositionState memory position, IVaultAutomation.ExitConfig memory exits, uint256 highWaterMark)
        internal
        pure
        returns (IVaultAutomation.Action)
    {
        uint256 price = position.price;
        if (exits.stopLossPrice != 0 && price <= exits.stopLossPrice) return IVaultAutomation.Action.StopLoss;
        if (exits.trailBps != 0 && price * BPS <= highWaterMark * (BPS - exits.trailBps)) {
            return IVaultAutomation.Action.TrailingStop;
        }
        return IVaultAutomation.Action.None;
    }

    /// @notice Leverage a health deleverage (and the ripcord) aims at most for: HF a margin above the floor.
    function healthRestoringLeverage(ILeverageVault.LeverageConfig memory leverage, uint256 liquidationThresholdBps)
        internal
        pure
        returns (uint256)
    {
        return leverageAtHealthFactor(leverage.minHealthFactor + HEALTH_RESTORE_MARGIN, liquidationThresholdBps);
    }

    /// @notice Leverage at which HF = `healthFactor`: LTV = liqThreshold / HF, L = 1 / (1 - LTV); 1x when unreachable.
    function leverageAtHealthFactor(uint256 healthFactor, uint256 liquidationThresholdBps)
        internal
        pure
        returns (uint256)
    {
        uint256 ltv = Math.mulDiv(liquidationThresholdBps, WAD * WAD, BPS * healthFactor);
        if (ltv >= WAD) return WAD;
        return Math.mulDiv(WAD, WAD, WAD - ltv);
    }

    /// @return True for the actions a cooldown applies to (non-emergency band rebalances).
    function isBandAction(IVaultAutomation.Action action) internal pure returns (bool) {
        return action == IVaultAutomation.Action.DeleverBand || action == IVaultAutomation.Action.ReleverBand;
    }
}
