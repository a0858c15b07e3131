// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";
import {IMarketsBound} from "../interfaces/IMarketsBound.sol";
import {IOracleModule} from "../interfaces/IOracleModule.sol";
import {IVaultDeployer} from "../interfaces/IVaultDeployer.sol";
import {IVaultFactory} from "../interfaces/IVaultFactory.sol";
import {IVaultManagement} from "../interfaces/IVaultManagement.sol";
import {IVaultRegistry} from "../interfaces/IVaultRegistry.sol";
import {IVenueMover} from "../interfaces/IVenueMover.sol";
import {VaultProxy} from "../refinance/VaultProxy.sol";

/// @title VaultFactory
/// @notice One factory contract for every venue: deploy one per (deployer, markets, feeds, module).
contract VaultFactory is IVaultFactory {
    /// @inheritdoc IVaultFactory
    IVaultRegistry public immutable REGISTRY;
    /// @inheritdoc IVaultFactory
    IVaultDeployer public immutable DEPLOYER;
    /// @inheritdoc IVaultFactory
    address public immutable MODULE;
    /// @inheritdoc IVaultFactory
    bytes32 public immutable MARKETS_HASH;
    /// @inheritdoc IVaultFactory
    bytes32 public immutable VENUE;
    /// @inheritdoc IVaultFactory
    address public immutable COLLATERAL_ASSET;
    /// @inheritdoc IVaultFactory
    address public immutable DEBT_ASSET;
    // Neither bytes nor structs can be immutable: the configuration is kept in storage, written once.
    bytes internal _markets;
    IOracleModule.OracleConfig internal _oracle;
    /// @inheritdoc IVaultFactory
    address public refinanceImplementation;

    /// @dev The deployer salt of the implementation: no creator's salt (a keccak256 of creator and salt) reaches it.
    bytes32 private constant IMPLEMENTATION_SALT = bytes32(0);

    /// @param marketsData the venue's Markets ABI-encoded (the deployer refuses any other encoding)
    /// @param oracleConfig the feeds, heartbeats and sequencer feed every vault of this factory uses
    /// @param module the automation module, built for exactly these markets and feeds (else FactoryModuleMismatch)
    /// @dev Not named `markets` / `oracle`: those are this contract's view functions.
    constructor(
        bytes memory marketsData,
        IOracleModule.OracleConfig memory oracleConfig,
        address module,
        IVaultRegistry registry,
        IVaultDeployer deployer
    ) {
        IVaultDeployer.MarketsInfo memory info = deployer.marketsInfo(marketsData, oracleConfig);
        if (IMarketsBound(module).MARKETS_HASH() != info.marketsHash) revert FactoryModuleMismatch();
        MARKETS_HASH = info.marketsHash;
        COLLATERAL_ASSET = info.collateralAsset;
        DEBT_ASSET = info.debtAsset;
        VENUE = deployer.VENUE();
        _markets = marketsData;
        _oracle = oracleConfig;
        MODULE = module;
        REGISTRY = registry;
        DEPLOYER = deployer;
    }

    /// @inheritdoc IVaultFactory
    function createVault(
        string calldata name,
        string calldata symbol,
        bytes32 kind,
        IVaultManagement.InitParams calldata params,
        bytes32 salt
    ) external returns (address vault) {
        vault = DEPLOYER.deploy(_salt(msg.sender, salt), _markets, _oracle, name, symbol, MODULE, params);
        _register(vault, kind, salt, name, symbol);
    }

    /// @inheritdoc IVaultFactory
    function predictVaultAddress(
        address creator,
        string calldata name,
        string calldata symbol,
        IVaultManagement.InitParams calldata params,
        bytes32 salt
    ) external view returns (address) {
        return DEPLOYER.predict(address(this), _salt(creator, salt), _markets, _oracle, name, symbol, MODULE, params);
    }

    /// @inheritdoc IVaultFactory
    function createRefinanceableVault(
        string calldata name,
        string calldata symbol,
        bytes32 kind,
        IVaultManagement.InitParams calldata params,
        bytes32 salt
    ) external returns (address vault) {
        address implementation = deployRefinanceImplementation();
        vault = Create2.deploy(0, _salt(msg.sender, salt), _proxyCode(implementation, name, symbol, params));
        _register(vault, kind, salt, name, symbol);
    }

    /// @inheritdoc IVaultFactory
    function predictRefinanceableVaultAddress(
        address creator,
        string calldata name,
        string calldata symbol,
        IVaultManagement.InitParams calldata params,
        bytes32 salt
    ) external view returns (address) {
        address implementation = refinanceImplementation;
        if (implementation == address(0)) {
            implementation = DEPLOYER.predict(address(this), IMPLEMENTATION_SALT, _markets, _oracle, "", "", MODULE, _locked());
        }
        return Create2.computeAddress(_salt(creator, salt), keccak256(_proxyCode(implementation, name, symbol, params)));
    }

    /// @inheritdoc IVaultFactory
    function deployRefinanceImplementation() public returns (address implementation) {
        implementation = refinanceImplementation;
        if (implementation != address(0)) return implementation;
        implementation = DEPLOYER.deploy(IMPLEMENTATION_SALT, _markets, _oracle, "", "", MODULE, _locked());
        refinanceImplementation = implementation;
        emit RefinanceImplementationDeployed(implementation);
    }

    /// @inheritdoc IVaultFactory
    function markets() external view returns (bytes memory) {
        return _markets;
    }

    /// @inheritdoc IVaultFactory
    function oracle() external view returns (IOracleModule.OracleConfig memory) {
        return _oracle;
    }

    /// @dev Records a vault this factory created in the registry, with its spec, and announces it.
    function _register(address vault, bytes32 kind, bytes32 salt, string calldata name, string calldata symbol) private {
        REGISTRY.register(vault, IVaultRegistry.VaultSpec(COLLATERAL_ASSET, DEBT_ASSET, VENUE, kind));
        emit VaultCreated(vault, msg.sender, kind, salt, name, symbol);
    }

    /// @dev The proxy's creation code with its constructor arguments: the implementation and the initialisation the
    ///      constructor runs through it (the venue mover's initializeProxy, in the proxy's storage).
    function _proxyCode(
        address implementation,
        string calldata name,
        string calldata symbol,
        IVaultManagement.InitParams calldata params
    ) private pure returns (bytes memory) {
        bytes memory data = abi.encodeCall(IVenueMover.initializeProxy, (name, symbol, params));
        return abi.encodePacked(type(VaultProxy).creationCode, abi.encode(implementation, data));
    }

    /// @dev Initialisation parameters with a zero owner: a vault deployed with them locks its own storage (the
    ///      implementation behind proxies, never configured itself).
    function _locked() private pure returns (IVaultManagement.InitParams memory none) {}

    /// @dev The creator's salt bound to the creator: the deployer binds it to this factory in turn.
    function _salt(address creator, bytes32 salt) private pure returns (bytes32) {
        return keccak256(abi.encode(creator, salt));
    }
}
