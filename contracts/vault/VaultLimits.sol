// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ILeverageVault} from "../interfaces/ILeverageVault.sol";
import {IOraclePrices} from "../interfaces/IOracleModule.sol";
import {IVaultAutomation} from "../interfaces/IVaultAutomation.sol";
import {IVaultLimits} from "../interfaces/IVaultLimits.sol";
import {DelegatedOnly} from "../base/DelegatedOnly.sol";
import {LeverageEngine} from "./LeverageEngine.sol";

/// @title VaultLimits
/// @notice The vault's ERC-4626 limits (IVaultLimits), computed in its context by delegatecall: the share balances
///         and previews they need are read from the vault itself. Kept out of the vault for code room; the vault's
///         `maxDeposit`, `maxWithdraw` and `maxRedeem` ask for them through its own fallback.
abstract contract VaultLimits is IVaultLimits, LeverageEngine, DelegatedOnly {
    using Math for uint256;

    /// @inheritdoc IVaultLimits
    function depositLimit(address) external view onlyDelegated returns (uint256 room) {
        VaultLayout storage v = _vault();
        if (v.depositsPaused || v.state.mode == IVaultAutomation.Mode.StoppedOut || !_oracleUsable()) return 0;
        if (_marketHealthFactor() < WAD) return 0;
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        ILeverageVault.PositionState memory state = _position(collateralPrice, debtPrice, 0);
        if (state.equityValue == 0 && IERC20(address(this)).totalSupply() != 0) return 0;
        uint256 leverage = _depositLeverage(state);
        room = _depositRoom(
            _toAssets(state.equityValue, collateralPrice), state.idleCollateral, leverage, collateralPrice, debtPrice
        );
        if (leverage > WAD) {
            uint256 move = _moveWithinBounds(false, _spotPrice(), state.price, v.execution.maxSlippageBps, BPS);
            uint256 maxBorrow = move == 0 ? 0 : _maxInputWithinMove(false, move);
            // MAX-1: the debt accrues interest until the deposit's block, which raises the leverage it takes (and on
            // Morpho lowers the borrow room): 1e-5 of the room is kept back for it, as the caps' room keeps 1e-5.
            room = Math.min(room - room / 100_000, _collateralFor(maxBorrow, collateralPrice, debtPrice).mulDiv(WAD, leverage - WAD));
        }
    }

    /// @inheritdoc IVaultLimits
    function withdrawLimit(address holder) external view onlyDelegated returns (uint256) {
        uint256 shares = redeemLimit(holder);
        return shares == 0 ? 0 : IERC4626(address(this)).previewRedeem(shares);
    }

    /// @inheritdoc IVaultLimits
    /// @dev An exit goes through with a usable oracle, and while the market's health factor is at least 1 (below,
    ///      it refuses withdrawals) unless it is the last holder's, which repays all the debt first. Its slice of the
    ///      debt is flash-loaned on the venue (MAX-1 / ERR-1): the shares whose debt share, rounded up, fits in what
    ///      the venue can lend at once, less a margin for the interest until the exit's block.
    function redeemLimit(address holder) public view onlyDelegated returns (uint256 shares) {
        if (!_oracleUsable()) return 0;
        IERC20 self = IERC20(address(this));
        shares = self.balanceOf(holder);
        uint256 supply = self.totalSupply();
        if (shares != supply && _marketHealthFactor() < WAD) return 0;
        uint256 debt = _debtBalance();
        if (debt == 0) return shares;
        // The debt accrues interest until the exit's block: 1e-5 of the room is kept back for it, as `depositLimit`.
        uint256 room = _debtFlashRoom();
        shares = Math.min(shares, (room - room / 100_000).mulDiv(supply, debt));
    }

    /// @dev False when the oracle would revert (stale, invalid, sequencer down): the limits are then 0.
    function _oracleUsable() private view returns (bool) {
        try IOraclePrices(address(this)).oraclePrices() returns (uint256, uint256) {
            return true;
        } catch {
            return false;
        }
    }
}
