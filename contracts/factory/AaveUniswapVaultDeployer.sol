// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOracleModule} from "../interfaces/IOracleModule.sol";
import {IVaultDeployer} from "../interfaces/IVaultDeployer.sol";
import {IVaultManagement} from "../interfaces/IVaultManagement.sol";
import {AaveUniswapLeverageVault} from "../vault/AaveUniswapLeverageVault.sol";
import {AaveUniswapMarkets} from "../vault/AaveUniswapMarkets.sol";
import {VaultDeployer} from "./VaultDeployer.sol";

/// @title AaveUniswapVaultDeployer
/// @notice Deploys AaveUniswapLeverageVault (venue "aave-v3"); markets are an ABI-encoded AaveUniswapMarkets.Markets.
contract AaveUniswapVaultDeployer is VaultDeployer {
    constructor() VaultDeployer(type(AaveUniswapLeverageVault).creationCode, "aave-v3") {}

    /// @inheritdoc IVaultDeployer
    function marketsInfo(bytes calldata markets, IOracleModule.OracleConfig calldata oracle)
        external
        pure
        returns (MarketsInfo memory)
    {
        AaveUniswapMarkets.Markets memory m = abi.decode(markets, (AaveUniswapMarkets.Markets));
        return MarketsInfo(AaveUniswapMarkets.hash(m, oracle), m.collateralAsset, m.debtAsset);
    }

    function _constructorArgs(
        bytes calldata markets,
        IOracleModule.OracleConfig calldata oracle,
        string calldata name,
        string calldata symbol,
        address module,
        IVaultManagement.InitParams calldata params
    ) internal pure override returns (bytes memory) {
        return abi.encode(abi.decode(markets, (AaveUniswapMarkets.Markets)), oracle, name, symbol, module, params);
    }
}
