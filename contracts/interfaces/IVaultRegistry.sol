// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IVaultRegistry
/// @notice The list of vaults keepers and scripts iterate over. Only factories the owner approved can add to it.
interface IVaultRegistry {
    event FactorySet(address indexed factory, bool allowed);
    event VaultRegistered(address indexed vault, address indexed factory);

    /// @notice `caller` is not an approved factory.
    error RegistryUnauthorizedFactory(address caller);
    /// @notice `vault` is already listed.
    error RegistryAlreadyRegistered(address vault);

    /// @notice Owner only.
    function setFactory(address factory, bool allowed) external;

    /// @notice Approved factories only.
    function register(address vault) external;

    function isFactory(address factory) external view returns (bool);

    function isRegistered(address vault) external view returns (bool);

    function vaultCount() external view returns (uint256);

    /// @notice Up to `limit` vaults from index `offset` (fewer at the end of the list).
    function vaults(uint256 offset, uint256 limit) external view returns (address[] memory page);
}
