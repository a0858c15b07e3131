// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILeverageVault} from "../interfaces/ILeverageVault.sol";
import {IVaultAutomation} from "../interfaces/IVaultAutomation.sol";
import {IVaultManagement} from "../interfaces/IVaultManagement.sol";
import {IVaultFees} from "../interfaces/IVaultFees.sol";
import {IVaultEmergency} from "../interfaces/IVaultEmergency.sol";

/// @title VaultStorage
/// @notice The vault's own state in one ERC-7201 namespace, so the vault and the module it delegates to read the
///         same slots whatever else each of them inherits.
abstract contract VaultStorage {
    /// @custom:storage-location erc7201:levered-vaults.storage.Vault
    struct VaultLayout {
        address owner;
        address pendingOwner;
        address manager;
        address guardian;
        bool depositsPaused;
        bool initialized;
        ILeverageVault.LeverageConfig leverage;
        ILeverageVault.ExecutionConfig execution;
        IVaultAutomation.AutomationConfig automation;
        IVaultAutomation.ExitConfig exits;
        IVaultAutomation.AutomationState state;
        mapping(address account => bool allowed) keepers;
        uint64 timelock; // s a loosening change waits
        mapping(IVaultManagement.ChangeKind kind => PendingChange change) pending;
        IVaultAutomation.VolatilityConfig volatility;
        // appended (issue 21)
        IVaultFees.FeeConfig fees;
        IVaultFees.FeeState feeState;
        IVaultAutomation.KeeperPayConfig keeperPay;
        IVaultAutomation.KeeperPayState keeperPayState;
        IVaultEmergency.OutageConfig outage; // OUTAGE-1, zero fields = defaults
        IVaultEmergency.OutageState outageState;
        // The gas token's USD feed for keeper pay when neither leg is the gas token (zero: priced as a leg).
        address gasTokenFeed;
    }

    /// @notice A loosening change waiting out the timelock.
    struct PendingChange {
        bytes data; // abi-encoded new value
        uint64 validAt; // s, 0 = none
    }

    // keccak256(abi.encode(uint256(keccak256("levered-vaults.storage.Vault")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant VAULT_STORAGE_SLOT = 0xef4df36a977bdaeab3f7f625f54e2a8d3274e1e112cd815dcbbda430b7bb7f00;

    function _vault() internal pure returns (VaultLayout storage layout) {
        assembly {
            layout.slot := VAULT_STORAGE_SLOT
        }
    }
}
