// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ILeverageVault} from "./ILeverageVault.sol";
import {IVaultAutomation} from "./IVaultAutomation.sol";

/// @title IVaultManagement
/// @notice Roles and parameters of a leveraged vault. Every parameter has hard bounds and every change an event.
///         Roles: the owner (two-step transfer) appoints manager and guardian; the manager sets parameters,
///         keepers and re-arms; the guardian may only pause deposits or latch the stop. No role can move
///         depositors' funds anywhere but to share holders on exit.
interface IVaultManagement {
    /// @notice Everything a vault starts with; applied once through `initialize` from the vault's constructor.
    struct InitParams {
        address owner;
        address manager;
        address guardian;
        ILeverageVault.LeverageConfig leverage;
        ILeverageVault.ExecutionConfig execution;
        IVaultAutomation.AutomationConfig automation;
        IVaultAutomation.ExitConfig exits;
    }

    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event RolesSet(address manager, address guardian);
    event DepositsPausedSet(address indexed by, bool paused);
    event LeverageConfigSet(ILeverageVault.LeverageConfig config);
    event ExecutionConfigSet(ILeverageVault.ExecutionConfig config);
    event KeeperSet(address indexed keeper, bool allowed);
    event AutomationConfigSet(IVaultAutomation.AutomationConfig config);
    event ExitConfigSet(IVaultAutomation.ExitConfig config);
    event ModeChanged(IVaultAutomation.Mode mode, address indexed by);

    /// @notice `initialize` ran already.
    error VaultAlreadyInitialized();
    error KeeperInvalidAutomationConfig(IVaultAutomation.AutomationConfig config);
    error KeeperInvalidExitConfig(IVaultAutomation.ExitConfig config);

    /// @notice Once, from the vault's constructor.
    function initialize(InitParams calldata params) external;

    function owner() external view returns (address);

    function pendingOwner() external view returns (address);

    function manager() external view returns (address);

    function guardian() external view returns (address);

    function depositsPaused() external view returns (bool);

    function isKeeper(address account) external view returns (bool);

    function leverageConfig() external view returns (ILeverageVault.LeverageConfig memory);

    function executionConfig() external view returns (ILeverageVault.ExecutionConfig memory);

    function automationConfig() external view returns (IVaultAutomation.AutomationConfig memory);

    function exitConfig() external view returns (IVaultAutomation.ExitConfig memory);

    function automationState() external view returns (IVaultAutomation.AutomationState memory);

    /// @notice Owner only: starts a two-step transfer, completed by `acceptOwnership` from `newOwner`.
    function transferOwnership(address newOwner) external;

    function acceptOwnership() external;

    /// @notice Owner only. Zero addresses are refused with `VaultInvalidRole`.
    function setRoles(address newManager, address newGuardian) external;

    /// @notice Guardian or manager may pause; only the manager may unpause. Exits are never paused.
    function setDepositsPaused(bool paused) external;

    /// @notice Manager only. Reverts `VaultInvalidLeverageConfig` when target LTV > market max LTV - buffer,
    ///         band-top LTV > liquidation threshold - buffer, band inconsistent, or the health-factor floor
    ///         is not in (1, HF at target].
    function setLeverageConfig(ILeverageVault.LeverageConfig calldata config) external;

    /// @notice Manager only. Slippage in [1, 500] bps; a pool must exist for the fee tier.
    function setExecutionConfig(ILeverageVault.ExecutionConfig calldata config) external;

    /// @notice Manager only. Allow-listed keepers may call `rebalance` and `performUpkeep`.
    function setKeeper(address keeper, bool allowed) external;

    /// @notice Manager only. Critical HF in (1, HF floor], deviation and loss in [1, 1000] bps,
    ///         reward <= 100 bps, trade size > 0, cooldown <= 7 days.
    function setAutomationConfig(IVaultAutomation.AutomationConfig calldata config) external;

    /// @notice Manager only. Take-profit leverage in [1x, target], stop below take-profit, trail < 50%.
    function setExitConfig(IVaultAutomation.ExitConfig calldata config) external;

    /// @notice Guardian or manager: latch the stop so keepers unwind to 1x (risk reduction only).
    function stop() external;

    /// @notice Manager only: back to Active, high-water mark reset to the current oracle price.
    function rearm() external;
}
