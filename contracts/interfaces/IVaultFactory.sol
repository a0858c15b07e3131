// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IOracleModule} from "./IOracleModule.sol";
import {IVaultDeployer} from "./IVaultDeployer.sol";
import {IVaultManagement} from "./IVaultManagement.sol";
import {IVaultRegistry} from "./IVaultRegistry.sol";

/// @title IVaultFactory
/// @notice Creates leveraged vaults of one spec (venue, markets, feeds, module) at deterministic (CREATE2) addresses
///         and lists each in the registry with its spec. The venue is its deployer's; the markets are kept as the
///         venue's ABI-encoded Markets, so the same factory contract serves every venue. Anyone may create a vault;
///         its roles are its own.
///         A vault is either plain (`createVault`: the venue's vault contract itself) or refinanceable
///         (`createRefinanceableVault`: a VaultProxy in front of this factory's own implementation, which the owner may
///         later move to another venue through IVaultRefinance). Both are listed the same way.
interface IVaultFactory {
    /// @notice `vault` was created by `creator` with the creator's `salt` and listed under `kind`.
    event VaultCreated(
        address indexed vault, address indexed creator, bytes32 indexed kind, bytes32 salt, string name, string symbol
    );

    /// @notice The vault implementation refinanceable vaults of this factory start on was deployed (once per factory).
    event RefinanceImplementationDeployed(address indexed implementation);

    /// @notice The module was built for other markets or feeds than this factory (its MARKETS_HASH differs).
    error FactoryModuleMismatch();

    /// @notice The registry every vault is listed in.
    function REGISTRY() external view returns (IVaultRegistry);

    /// @notice Holds the venue's vault creation code and runs the CREATE2.
    function DEPLOYER() external view returns (IVaultDeployer);

    /// @notice The automation module every vault of this factory delegates to.
    function MODULE() external view returns (address);

    /// @notice The venue library's hash(markets, oracle); equal to the module's MARKETS_HASH.
    function MARKETS_HASH() external view returns (bytes32);

    /// @notice The deployer's venue ("aave-v3", "morpho-blue" as bytes32 strings).
    function VENUE() external view returns (bytes32);

    /// @notice The vaults' asset, read from the markets.
    function COLLATERAL_ASSET() external view returns (address);

    /// @notice The asset the vaults borrow, read from the markets.
    function DEBT_ASSET() external view returns (address);

    /// @notice Deploys and registers a vault with the spec (collateral, debt, venue, `kind`). The address depends on
    ///         the caller and `salt` (not on `kind`), so nobody can take the address another creator is about to use.
    /// @param kind the creator's label for listing (`IVaultRegistry.vaultsOfKind`), e.g. a preset name as bytes32
    function createVault(
        string calldata name,
        string calldata symbol,
        bytes32 kind,
        IVaultManagement.InitParams calldata params,
        bytes32 salt
    ) external returns (address vault);

    /// @notice The address `createVault` deploys to when `creator` calls it with these arguments.
    function predictVaultAddress(
        address creator,
        string calldata name,
        string calldata symbol,
        IVaultManagement.InitParams calldata params,
        bytes32 salt
    ) external view returns (address);

    /// @notice Deploys and registers a refinanceable vault with the spec (collateral, debt, venue, `kind`): a
    ///         VaultProxy in front of `refinanceImplementation()` (deployed first if it is not yet), initialised in the
    ///         proxy's constructor call (IVenueMover.initializeProxy: nobody can initialise it in between). The
    ///         implementation is this factory's own (its deployer's vault code, its markets, feeds and module), never
    ///         one the caller names. The address depends on the caller and `salt` (not on `kind`), as for createVault;
    ///         `params.owner` must be set (else the management module's VaultInvalidRole).
    function createRefinanceableVault(
        string calldata name,
        string calldata symbol,
        bytes32 kind,
        IVaultManagement.InitParams calldata params,
        bytes32 salt
    ) external returns (address vault);

    /// @notice The address `createRefinanceableVault` deploys to when `creator` calls it with these arguments.
    function predictRefinanceableVaultAddress(
        address creator,
        string calldata name,
        string calldata symbol,
        IVaultManagement.InitParams calldata params,
        bytes32 salt
    ) external view returns (address);

    /// @notice Deploys `refinanceImplementation()` unless it already is (anyone; idempotent), so that vaults of other
    ///         factories can propose a move to this venue before any refinanceable vault is created here.
    /// @return implementation the implementation's address
    function deployRefinanceImplementation() external returns (address implementation);

    /// @notice This factory's vault code for proxies (storage locked: deployed with a zero owner), the implementation
    ///         a refinanceable vault runs while on this venue; zero until deployed.
    function refinanceImplementation() external view returns (address);

    /// @notice The venue's Markets struct, ABI-encoded (decode it with the venue's Markets type).
    function markets() external view returns (bytes memory);

    /// @notice The feeds, heartbeats and sequencer feed every vault of this factory reads.
    function oracle() external view returns (IOracleModule.OracleConfig memory);
}
