// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IVaultAutomation} from "./IVaultAutomation.sol";
import {IVaultManagement} from "./IVaultManagement.sol";

/// @title IVaultFees
/// @notice Fee and keeper-pay settings of a leveraged vault (issue 21), served by the fee module in the vault's
///         context (the vault -> automation module -> management module -> fee module fallback chain). Fees accrue as
///         shares minted to the fee recipient (`ILeverageVault.accrueFee`); keepers may be reimbursed their gas
///         (`IVaultAutomation.KeeperPayConfig`). Raising a fee or the keeper pay waits out the vault's timelock
///         (`ChangeKind.Fees`, `ChangeKind.KeeperPay`, accepted with `acceptChange`, revoked with `revokeChange`);
///         lowering applies at once (ROLE-2).
interface IVaultFees {
    /// @notice Fees charged as shares minted to `recipient` (see `ILeverageVault.accrueFee`).
    struct FeeConfig {
        address recipient; // receives the fee shares; set by the owner, at once
        uint16 managementFeeBps; // bps of assets per year, streamed per second, <= MAX_MANAGEMENT_FEE_BPS (200)
        uint16 performanceFeeBps; // bps of the share-price gain above the fee mark, <= MAX_PERFORMANCE_FEE_BPS (2000)
    }

    /// @notice Fee accrual state.
    struct FeeState {
        uint40 lastAccrual; // s, block time of the last accrual (0 = never)
        // wad-scaled assets per share: the fee high-water mark of the share price (performance fee only above it).
        // NOT the trailing stop's `AutomationState.highWaterMark`, which is a collateral price.
        uint128 feeSharePriceMark;
    }

    /// @notice Fee rates now `managementFeeBps` (per year) and `performanceFeeBps`.
    event FeesSet(uint256 managementFeeBps, uint256 performanceFeeBps);
    /// @notice Fee shares go to `recipient` from now on.
    event FeeRecipientSet(address indexed recipient);
    /// @notice Keeper pay is now `config`.
    event KeeperPayConfigSet(IVaultAutomation.KeeperPayConfig config);

    /// @notice A fee above its hard cap (management 200 bps/yr, performance 2000 bps).
    error VaultFeeAboveCap(uint256 managementFeeBps, uint256 performanceFeeBps);
    /// @notice A fee is set (or would be) while the fee recipient is the zero address.
    error VaultZeroFeeRecipient();
    /// @notice Multiplier above 12000 bps (1.2x), or a multiplier with a zero max gas price or cap.
    error KeeperInvalidPayConfig(IVaultAutomation.KeeperPayConfig config);

    function feeConfig() external view returns (FeeConfig memory);

    function feeState() external view returns (FeeState memory);

    function keeperPayConfig() external view returns (IVaultAutomation.KeeperPayConfig memory);

    /// @notice Day (block.timestamp / 1 days) of the last keeper payment and what was paid on it (collateral units).
    function keeperPayState() external view returns (IVaultAutomation.KeeperPayState memory);

    /// @notice Owner only. Accrues at the current rates first. Lowering both rates (or keeping them) applies at
    ///         once; raising either waits out the timelock (`ChangeKind.Fees`, data `abi.encode(uint16, uint16)`),
    ///         validated again when accepted. Reverts `VaultFeeAboveCap` above 200 bps/yr or 2000 bps,
    ///         `VaultZeroFeeRecipient` for a non-zero fee without a recipient.
    function setFees(uint16 managementFeeBps, uint16 performanceFeeBps) external;

    /// @notice Owner only, at once: accrues first, so that what accrued so far goes to the previous recipient.
    ///         The zero address only while both fees are zero (`VaultZeroFeeRecipient`).
    function setFeeRecipient(address recipient) external;

    /// @notice Manager only. Multiplier <= 12000 bps (0 = off); when on, max gas price, per-action and per-day caps
    ///         non-zero (`KeeperInvalidPayConfig`). At once when no field rises and the gas-token choice stays;
    ///         otherwise timelocked (`ChangeKind.KeeperPay`, data `abi.encode(config)`): a raise spends more of the
    ///         holders' assets.
    function setKeeperPayConfig(IVaultAutomation.KeeperPayConfig calldata config) external;

    /// @notice The vault itself only (the management module's `acceptChange` of a fee kind): validates `data` of a
    ///         fee `kind` and stores it when `store`.
    function applyFeeChange(IVaultManagement.ChangeKind kind, bytes calldata data, bool store) external;
}
