// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILeverageVault} from "../interfaces/ILeverageVault.sol";
import {IVaultAutomation} from "../interfaces/IVaultAutomation.sol";
import {RiskPolicy} from "../risk/RiskPolicy.sol";
import {PostConditions} from "../risk/PostConditions.sol";

/// @title RiskHarness
/// @notice Test double exposing the pure risk libraries for unit and property tests. Never shipped.
contract RiskHarness {
    function decide(
        ILeverageVault.PositionState memory position,
        ILeverageVault.LeverageConfig memory leverage,
        IVaultAutomation.ExitConfig memory exits,
        IVaultAutomation.Mode mode,
        uint256 highWaterMark,
        uint256 liquidationThresholdBps,
        uint256 dustCollateral
    ) external pure returns (IVaultAutomation.Action action, uint256 targetLeverage) {
        return RiskPolicy.decide(position, leverage, exits, mode, highWaterMark, liquidationThresholdBps, dustCollateral);
    }

    function checkPostConditions(
        IVaultAutomation.Action action,
        uint256 target,
        ILeverageVault.PositionState memory before,
        ILeverageVault.PositionState memory afterAction,
        uint256 minHealthFactor,
        uint256 maxLoss
    ) external pure {
        PostConditions.check(action, target, before, afterAction, minHealthFactor, maxLoss);
    }
}
