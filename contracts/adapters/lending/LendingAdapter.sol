// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILendingAdapterErrors} from "../../interfaces/IAdapterErrors.sol";
import {VaultAssets} from "../../base/VaultAssets.sol";

/// @title LendingAdapter
/// @notice What the vault core needs from a lending market. A new market is a new implementation of this
///         module, not an edit of the vault. Amounts are in token units of the asset named.
abstract contract LendingAdapter is ILendingAdapterErrors, VaultAssets {
    /// @dev What the venue needs of the vault before it supplies or borrows: approvals, and the e-mode category
    ///      where it has one. Run in the constructor, and in a proxy's context when it enters this venue.
    function _enterVenue() internal virtual;

    /// @return Debt units the venue can lend the vault now: its borrow cap room and its liquidity.
    function _debtLendable() internal view virtual returns (uint256);

    /// @return Debt units a flash loan of the debt asset can take now: what the venue holds of it.
    function _debtFlashRoom() internal view virtual returns (uint256);

    /// @return The venue's borrow rate on the debt asset now, wad per year (simple, not compounded).
    function _borrowRatePerYear() internal view virtual returns (uint256);

    /// @return What the supplied collateral earns on the venue now, wad per year (simple); 0 where it is not lent.
    function _supplyRatePerYear() internal view virtual returns (uint256);

    function _supplyCollateral(uint256 amount) internal virtual;

    /// @dev Sends `amount` collateral to `to`; `type(uint256).max` withdraws everything.
    function _withdrawCollateral(uint256 amount, address to) internal virtual returns (uint256 withdrawn);

    function _repayDebt(uint256 amount) internal virtual returns (uint256 repaid);

    /// @return Collateral supplied, including accrued interest.
    function _collateralBalance() internal view virtual returns (uint256);

    /// @return Debt owed, including accrued interest.
    function _debtBalance() internal view virtual returns (uint256);

    /// @return Liquidation threshold of the collateral, bps.
    function _liquidationThresholdBps() internal view virtual returns (uint256);

    /// @return Liquidation bonus of the collateral, bps above 100% (10_500 = 5% bonus).
    function _liquidationBonusBps() internal view virtual returns (uint256);

    /// @return Maximum loan-to-value of the collateral at borrow time, bps.
    function _maxLtvBps() internal view virtual returns (uint256);

    /// @return Share of the liquidation bonus the market keeps as a protocol fee, bps of the bonus.
    function _liquidationProtocolFeeBps() internal view virtual returns (uint256);

    /// @return The vault's health factor as the market computes it, on the market's own prices (wad; max when it
    ///         owes nothing). Below 1 the market refuses any withdrawal and lets anyone liquidate.
    function _marketHealthFactor() internal view virtual returns (uint256);

    /// @dev Liquidates `debtAmount` of the vault's own debt with debt asset it holds (market health factor below
    ///      1 only): the collateral and the market's bonus come to the vault. Returns the collateral received.
    function _liquidateOwnDebt(uint256 debtAmount) internal virtual returns (uint256 collateralReceived);

    /// @return Most debt units (of `debt` owed) one liquidation may repay: the market's close factor.
    function _maxOwnLiquidation(uint256 debt) internal view virtual returns (uint256);

    /// @return Collateral units the market still accepts as supply before its supply cap (max when uncapped),
    ///         with a margin for the interest the market accrues to itself in the supplying transaction.
    function _supplyRoom() internal view virtual returns (uint256);

    /// @return Debt units the market still lends before its borrow cap (max when uncapped), once `repaidFirst` debt
    ///         units are repaid (the idle sweep before a lever-up repays with the idle debt asset).
    function _borrowRoom(uint256 repaidFirst) internal view virtual returns (uint256);

    /// @return Collateral units a flash loan of the collateral can take and still be withdrawn in the same call: a
    ///         deleverage flash-loans the collateral and then withdraws as much from the same market's balance.
    function _collateralFlashRoom() internal view virtual returns (uint256);

    /// @return Flash-loan premium charged on loans repaid in the same call, bps.
    function _flashLoanPremiumBps() internal view virtual returns (uint256);

    /// @dev Flash-borrows `amount` of the debt asset that stays open as debt (no premium); the market calls back
    ///      `_onFlashLoan(DEBT_ASSET, amount, 0, data)` before opening the debt and checking the position.
    function _flashBorrowDebt(uint256 amount, bytes memory data) internal virtual;

    /// @dev Flash loan of `asset` repaid with premium at the end of the call; calls back `_onFlashLoan`.
    function _flashLoan(address asset, uint256 amount, bytes memory data) internal virtual;

    /// @dev Implemented by the vault: runs while the loan is out. `premium` is owed on top of `amount`.
    function _onFlashLoan(address asset, uint256 amount, uint256 premium, bytes memory data) internal virtual;
}
