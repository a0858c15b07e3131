// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IVaultRegistry
/// @notice The list of vaults keepers and scripts iterate over, with each vault's spec so tools can list vaults by
///         kind. Only factories the owner approved can add to it; the spec is the one the factory recorded.
interface IVaultRegistry {
    /// @notice What a vault is, as its factory recorded it at registration.
    /// @param collateralAsset the vault's asset (ERC-4626 `asset()`), supplied on the venue
    /// @param debtAsset the asset it borrows
    /// @param venue the lending venue, a short string in bytes32: "aave-v3" or "morpho-blue"
    /// @param kind the creator's label in bytes32, e.g. a preset name ("eth-long-3x"); not checked by anyone
    struct VaultSpec {
        address collateralAsset;
        address debtAsset;
        bytes32 venue;
        bytes32 kind;
    }

    event FactorySet(address indexed factory, bool allowed);
    event VaultRegistered(address indexed vault, address indexed factory);

    /// @notice `caller` is not an approved factory.
    error RegistryUnauthorizedFactory(address caller);
    /// @notice `vault` is already listed.
    error RegistryAlreadyRegistered(address vault);
    /// @notice `vault` is not listed, so it has no spec.
    error RegistryNotRegistered(address vault);

    /// @notice Owner only.
    function setFactory(address factory, bool allowed) external;

    /// @notice Approved factories only: lists `vault` with its `spec`, also under `spec.kind`.
    function register(address vault, VaultSpec calldata spec) external;

    function isFactory(address factory) external view returns (bool);

    function isRegistered(address vault) external view returns (bool);

    /// @notice The factory that registered `vault`, zero address if none did.
    function factoryOf(address vault) external view returns (address);

    /// @notice The spec `vault` was registered with; reverts with RegistryNotRegistered for an unlisted address.
    function specOf(address vault) external view returns (VaultSpec memory);

    function vaultCount() external view returns (uint256);

    /// @notice Up to `limit` vaults from index `offset` (fewer at the end of the list).
    function vaults(uint256 offset, uint256 limit) external view returns (address[] memory page);

    /// @notice How many vaults were registered with `kind`.
    function vaultCountOfKind(bytes32 kind) external view returns (uint256);

    /// @notice Up to `limit` vaults of `kind` from index `offset` of that kind's list, in registration order.
    function vaultsOfKind(bytes32 kind, uint256 offset, uint256 limit) external view returns (address[] memory page);
}
