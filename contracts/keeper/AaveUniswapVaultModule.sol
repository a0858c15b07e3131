// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {VaultModule} from "./VaultModule.sol";
import {VaultAssets} from "../vault/VaultAssets.sol";
import {AaveV3LendingModule} from "../adapters/lending/AaveV3LendingModule.sol";
import {UniswapV3SwapModule} from "../adapters/swap/UniswapV3SwapModule.sol";
import {ChainlinkOracleModule} from "../oracle/ChainlinkOracleModule.sol";
import {AaveUniswapMarkets} from "../vault/AaveUniswapMarkets.sol";

/// @title AaveUniswapVaultModule
/// @notice Management and automation for Aave V3 + Uniswap V3 vaults; one instance serves every vault built on
///         the same markets and feeds, always through the vault's delegatecall.
contract AaveUniswapVaultModule is VaultModule, AaveV3LendingModule, UniswapV3SwapModule {
    constructor(AaveUniswapMarkets.Markets memory markets, OracleConfig memory oracle)
        VaultAssets(markets.collateralAsset, markets.debtAsset)
        AaveV3LendingModule(markets.aavePool)
        UniswapV3SwapModule(markets.swapRouter, markets.uniswapFactory)
        ChainlinkOracleModule(oracle)
        VaultModule(AaveUniswapMarkets.hash(markets, oracle))
    {}
}
