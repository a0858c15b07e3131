// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOracleModule} from "../interfaces/IOracleModule.sol";
import {IVaultDeployer} from "../interfaces/IVaultDeployer.sol";
import {IVaultManagement} from "../interfaces/IVaultManagement.sol";
import {MorphoUniswapLeverageVault} from "../vault/MorphoUniswapLeverageVault.sol";
import {MorphoUniswapMarkets} from "../vault/MorphoUniswapMarkets.sol";
import {VaultDeployer} from "./VaultDeployer.sol";

/// @title MorphoUniswapVaultDeployer
/// @notice Deploys MorphoUniswapLeverageVault (venue "morpho-blue"); markets are an ABI-encoded MorphoUniswapMarkets.Markets.
contract MorphoUniswapVaultDeployer is VaultDeployer {
    constructor() VaultDeployer(type(MorphoUniswapLeverageVault).creationCode, "morpho-blue") {}

    /// @inheritdoc IVaultDeployer
    function marketsInfo(bytes calldata markets, IOracleModule.OracleConfig calldata oracle)
        external
        pure
        returns (MarketsInfo memory)
    {
        MorphoUniswapMarkets.Markets memory m = abi.decode(markets, (MorphoUniswapMarkets.Markets));
        return MarketsInfo(MorphoUniswapMarkets.hash(m, oracle), m.collateralAsset, m.debtAsset);
    }

    function _constructorArgs(
        bytes calldata markets,
        IOracleModule.OracleConfig calldata oracle,
        string calldata name,
        string calldata symbol,
        address module,
        IVaultManagement.InitParams calldata params
    ) internal pure override returns (bytes memory) {
        return abi.encode(abi.decode(markets, (MorphoUniswapMarkets.Markets)), oracle, name, symbol, module, params);
    }
}
