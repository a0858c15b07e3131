// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IVaultRegistry} from "../interfaces/IVaultRegistry.sol";

/// @title VaultRegistry
/// @notice Append-only list of vaults deployed by approved factories, each with its spec, also listed by kind.
contract VaultRegistry is IVaultRegistry, Ownable2Step {
    address[] internal _vaults;
    mapping(bytes32 kind => address[] vaults) internal _vaultsOfKind;
    mapping(address vault => VaultSpec spec) internal _specs;
    mapping(address factory => bool allowed) public isFactory;
    /// @notice The factory that registered each vault (zero address: not listed).
    mapping(address vault => address factory) public factoryOf;

    constructor(address initialOwner) Ownable(initialOwner) {}

    /// @inheritdoc IVaultRegistry
    function setFactory(address factory, bool allowed) external onlyOwner {
        isFactory[factory] = allowed;
        emit FactorySet(factory, allowed);
    }

    /// @inheritdoc IVaultRegistry
    function register(address vault, VaultSpec calldata spec) external {
        if (!isFactory[msg.sender]) revert RegistryUnauthorizedFactory(msg.sender);
        if (factoryOf[vault] != address(0)) revert RegistryAlreadyRegistered(vault);
        factoryOf[vault] = msg.sender;
        _specs[vault] = spec;
        _vaults.push(vault);
        _vaultsOfKind[spec.kind].push(vault);
        emit VaultRegistered(vault, msg.sender);
    }

    /// @inheritdoc IVaultRegistry
    function isRegistered(address vault) external view returns (bool) {
        return factoryOf[vault] != address(0);
    }

    /// @inheritdoc IVaultRegistry
    function specOf(address vault) external view returns (VaultSpec memory) {
        if (factoryOf[vault] == address(0)) revert RegistryNotRegistered(vault);
        return _specs[vault];
    }

    /// @inheritdoc IVaultRegistry
    function vaultCount() external view returns (uint256) {
        return _vaults.length;
    }

    /// @inheritdoc IVaultRegistry
    function vaults(uint256 offset, uint256 limit) external view returns (address[] memory) {
        return _page(_vaults, offset, limit);
    }

    /// @inheritdoc IVaultRegistry
    function vaultCountOfKind(bytes32 kind) external view returns (uint256) {
        return _vaultsOfKind[kind].length;
    }

    /// @inheritdoc IVaultRegistry
    function vaultsOfKind(bytes32 kind, uint256 offset, uint256 limit) external view returns (address[] memory) {
        return _page(_vaultsOfKind[kind], offset, limit);
    }

    /// @dev Up to `limit` entries of `list` from `offset`; empty past the end.
    function _page(address[] storage list, uint256 offset, uint256 limit) private view returns (address[] memory page) {
        uint256 count = list.length;
        if (offset >= count) return page;
        // Written to avoid offset + limit overflowing for a caller asking for "everything" (limit = max).
        uint256 end = limit > count - offset ? count : offset + limit;
        page = new address[](end - offset);
        for (uint256 i = offset; i < end; ++i) {
            page[i - offset] = list[i];
        }
    }
}
