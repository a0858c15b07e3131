// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title LeverageMath
/// @notice Position ratios on values in a common unit (wad USD). Leverage and health factor are wad (1e18 = 1.0).
library LeverageMath {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant BPS = 10_000;

    /// @notice Leverage L = collateral / equity (wad); type(uint256).max when equity <= 0.
    function leverage(uint256 collateralValue, uint256 debtValue) internal pure returns (uint256) {
        if (debtValue == 0) return WAD;
        if (collateralValue <= debtValue) return type(uint256).max;
        return Math.mulDiv(collateralValue, WAD, collateralValue - debtValue);
    }

    /// @notice Aave health factor HF = collateral * liqThreshold / debt (wad); max when there is no debt.
    function healthFactor(uint256 collateralValue, uint256 debtValue, uint256 liqThresholdBps)
        internal
        pure
        returns (uint256)
    {
        if (debtValue == 0) return type(uint256).max;
        return Math.mulDiv(collateralValue * liqThresholdBps, WAD, debtValue * BPS);
    }

    /// @notice Debt value that gives `targetLeverage` on `equityValue`: D = E * (L - 1).
    function debtForLeverage(uint256 equityValue, uint256 targetLeverage) internal pure returns (uint256) {
        return Math.mulDiv(equityValue, targetLeverage - WAD, WAD);
    }

    /// @notice Loan-to-value of a leverage, in bps: LTV = 1 - 1/L, rounded up.
    function ltvBps(uint256 targetLeverage) internal pure returns (uint256) {
        return BPS - Math.mulDiv(BPS, WAD, targetLeverage);
    }

    /// @notice |a - b|.
    function distance(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > b ? a - b : b - a;
    }
}
