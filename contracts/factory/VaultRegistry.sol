// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IVaultRegistry} from "../interfaces/IVaultRegistry.sol";

/// @title VaultRegistry
/// @notice Append-only list of vaults deployed by approved factories.
contract VaultRegistry is IVaultRegistry, Ownable2Step {
    address[] internal _vaults;
    mapping(address factory => bool allowed) public isFactory;
    mapping(address vault => bool listed) public isRegistered;

    constructor(address initialOwner) Ownable(initialOwner) {}

    /// @inheritdoc IVaultRegistry
    function setFactory(address factory, bool allowed) external onlyOwner {
        isFactory[factory] = allowed;
        emit FactorySet(factory, allowed);
    }

    /// @inheritdoc IVaultRegistry
    function register(address vault) external {
        if (!isFactory[msg.sender]) revert RegistryUnauthorizedFactory(msg.sender);
        if (isRegistered[vault]) revert RegistryAlreadyRegistered(vault);
        isRegistered[vault] = true;
        _vaults.push(vault);
        emit VaultRegistered(vault, msg.sender);
    }

    /// @inheritdoc IVaultRegistry
    function vaultCount() external view returns (uint256) {
        return _vaults.length;
    }

    /// @inheritdoc IVaultRegistry
    function vaults(uint256 offset, uint256 limit) external view returns (address[] memory page) {
        uint256 count = _vaults.length;
        if (offset >= count) return page;
        // Written to avoid offset + limit overflowing for a caller asking for "everything" (limit = max).
        uint256 end = limit > count - offset ? count : offset + limit;
        page = new address[](end - offset);
        for (uint256 i = offset; i < end; ++i) {
            page[i - offset] = _vaults[i];
        }
    }
}
