// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOracleModule} from "../interfaces/IOracleModule.sol";
import {IVaultManagement} from "../interfaces/IVaultManagement.sol";
import {IVaultRegistry} from "../interfaces/IVaultRegistry.sol";
import {AaveUniswapVaultDeployer} from "./AaveUniswapVaultDeployer.sol";
import {AaveUniswapMarkets} from "../vault/AaveUniswapMarkets.sol";
import {IMarketsBound} from "../interfaces/IMarketsBound.sol";

/// @title AaveUniswapVaultFactory
/// @notice Deploys leveraged vaults on one set of markets and feeds at deterministic (CREATE2) addresses, all
///         sharing one module, and lists them in the registry. Anyone may create a vault; its roles are its own.
contract AaveUniswapVaultFactory {
    /// @notice The module was built for other markets or feeds than this factory.
    error FactoryModuleMismatch();

    event VaultCreated(address indexed vault, address indexed creator, bytes32 salt, string name, string symbol);

    IVaultRegistry public immutable REGISTRY;
    /// @notice Holds the vault's creation code and runs the CREATE2.
    AaveUniswapVaultDeployer public immutable DEPLOYER;
    address public immutable MODULE;
    bytes32 public immutable MARKETS_HASH;
    // Structs cannot be immutable: the configuration is kept in storage, written once.
    AaveUniswapMarkets.Markets internal _markets;
    IOracleModule.OracleConfig internal _oracle;

    /// @param marketsConfig the Aave pool, Uniswap router / factory and assets every vault of this factory uses
    /// @param oracleConfig the feeds, heartbeats and sequencer feed every vault of this factory uses
    /// @dev Not named `markets` / `oracle`: those are this contract's view functions.
    constructor(
        AaveUniswapMarkets.Markets memory marketsConfig,
        IOracleModule.OracleConfig memory oracleConfig,
        address module,
        IVaultRegistry registry,
        AaveUniswapVaultDeployer deployer
    ) {
        MARKETS_HASH = AaveUniswapMarkets.hash(marketsConfig, oracleConfig);
        if (IMarketsBound(module).MARKETS_HASH() != MARKETS_HASH) revert FactoryModuleMismatch();
        _markets = marketsConfig;
        _oracle = oracleConfig;
        MODULE = module;
        REGISTRY = registry;
        DEPLOYER = deployer;
    }

    /// @notice Deploys and registers a vault. The address depends on the caller and `salt`, so nobody can take
    ///         the address another creator is about to use.
    function createVault(
        string calldata name,
        string calldata symbol,
        IVaultManagement.InitParams calldata params,
        bytes32 salt
    ) external returns (address vault) {
        bytes32 fullSalt = keccak256(abi.encode(msg.sender, salt));
        vault = DEPLOYER.deploy(fullSalt, _markets, _oracle, name, symbol, MODULE, params);
        REGISTRY.register(vault);
        emit VaultCreated(vault, msg.sender, salt, name, symbol);
    }

    /// @notice The address `createVault` would deploy to for these arguments.
    function predictVaultAddress(
        address creator,
        string calldata name,
        string calldata symbol,
        IVaultManagement.InitParams calldata params,
        bytes32 salt
    ) external view returns (address) {
        return DEPLOYER.predict(
            address(this), keccak256(abi.encode(creator, salt)), _markets, _oracle, name, symbol, MODULE, params
        );
    }

    function markets() external view returns (AaveUniswapMarkets.Markets memory) {
        return _markets;
    }

    function oracle() external view returns (IOracleModule.OracleConfig memory) {
        return _oracle;
    }
}
