// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ILeverageVault} from "./ILeverageVault.sol";
import {IVaultAutomation} from "./IVaultAutomation.sol";
import {IVaultManagement} from "./IVaultManagement.sol";

/// @title IVaultSettings
/// @notice The roles' own switches (ownership transfer, keepers, the deposit pause) and the read side of a vault's roles
///         and parameters (what `IVaultManagement` writes), served by the settings module in the vault's storage.
///         Events and errors are IVaultManagement's.
interface IVaultSettings {
    /// @notice Owner only: starts a two-step transfer, completed by `acceptOwnership` from `newOwner`.
    function transferOwnership(address newOwner) external;

    function acceptOwnership() external;

    /// @notice Guardian or manager may pause; only the manager may unpause. Exits are never paused.
    function setDepositsPaused(bool paused) external;

    /// @notice Manager only. Allow-listed keepers may call `rebalance` and `performUpkeep`.
    function setKeeper(address keeper, bool allowed) external;

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

    function volatilityConfig() external view returns (IVaultAutomation.VolatilityConfig memory);

    /// @notice Seconds a loosening change waits before it may be accepted.
    function timelock() external view returns (uint256);

    /// @notice The pending change of `kind`: `data` is `abi.encode(config)` (`abi.encode(uint256)` for the
    ///         timelock, `abi.encode(address)` for the guardian, empty for a re-arm); `validAt` (s) is 0 when
    ///         nothing is pending.
    function pendingChange(IVaultManagement.ChangeKind kind) external view returns (bytes memory data, uint64 validAt);
}
