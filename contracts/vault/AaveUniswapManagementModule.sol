// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ManagementModule} from "./ManagementModule.sol";
import {VaultAssets} from "../base/VaultAssets.sol";
import {AaveV3LendingModule} from "../adapters/lending/AaveV3LendingModule.sol";
import {UniswapV3SwapModule} from "../adapters/swap/UniswapV3SwapModule.sol";
import {ChainlinkOracleModule} from "../oracle/ChainlinkOracleModule.sol";
import {AaveUniswapMarkets} from "./AaveUniswapMarkets.sol";

/// @title AaveUniswapManagementModule
/// @notice Roles and timelocked parameters of Aave V3 + Uniswap V3 vaults (market limits read from Aave, pools
///         from the Uniswap factory); reached through the automation module's fallback, in the vault's context.
contract AaveUniswapManagementModule is ManagementModule, AaveV3LendingModule, UniswapV3SwapModule {
    constructor(AaveUniswapMarkets.Markets memory markets, OracleConfig memory oracle, address settingsModule)
        VaultAssets(markets.collateralAsset, markets.debtAsset)
        AaveV3LendingModule(markets.aavePool, markets.eModeCategory)
        UniswapV3SwapModule(markets.swapRouter, markets.uniswapFactory)
        ChainlinkOracleModule(oracle)
        ManagementModule(AaveUniswapMarkets.hash(markets, oracle), settingsModule)
    {}
}
