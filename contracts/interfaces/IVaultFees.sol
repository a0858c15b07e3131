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
    /// @notice Keeper pay prices the gas token with `feed` from now on (zero: with the leg `gasTokenIsDebt` names).
    event GasTokenFeedSet(address indexed feed);

    /// @notice A fee above its hard cap (management 200 bps/yr, performance 2000 bps).
    error VaultFeeAboveCap(uint256 managementFeeBps, uint256 performanceFeeBps);
    /// @notice A fee is set (or would be) while the fee recipient is the zero address.
    error VaultZeroFeeRecipient();
    /// @notice Multiplier above 12000 bps (1.2x), or a multiplier with a zero max gas price or cap.
    error KeeperInvalidPayConfig(IVaultAutomation.KeeperPayConfig config);
    /// @notice A gas-token feed that does not answer a positive price with at most 18 decimals.
    error KeeperInvalidGasTokenFeed(address feed);
    /// @notice The gas-token feed changes only while keeper pay is off and no keeper-pay change is pending.
    error KeeperGasTokenFeedLocked();

    function feeConfig() external view returns (FeeConfig memory);

    function feeState() external view returns (FeeState memory);

    function keeperPayConfig() external view returns (IVaultAutomation.KeeperPayConfig memory);

    /// @notice The USD feed keeper pay prices the gas token with; zero when the gas token is one of the legs (the debt
    ///         when `KeeperPayConfig.gasTokenIsDebt`, else the collateral). Needed where neither leg is the chain's
    ///         gas token (WBTC against USDC on Ethereum: ETH gas).
    function gasTokenFeed() external view returns (address);

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

    /// @notice Manager or owner, at once, and only while keeper pay is off (multiplier 0) and no keeper-pay change is
    ///         pending (`KeeperGasTokenFeedLocked`): pay with a new feed can then only start through a timelocked
    ///         keeper-pay raise, seen with the feed it will use (ROLE-2). `feed` answers a positive price with at
    ///         most 18 decimals (`KeeperInvalidGasTokenFeed`); zero prices the gas token as a leg again. A stale or
    ///         non-positive answer when a keeper is paid pays nothing; the action itself goes on.
    function setGasTokenFeed(address feed) external;

    /// @notice The vault itself only (the management module's `acceptChange` of a fee kind): validates `data` of a
    ///         fee `kind` and stores it when `store`.
    function applyFeeChange(IVaultManagement.ChangeKind kind, bytes calldata data, bool store) external;
}
