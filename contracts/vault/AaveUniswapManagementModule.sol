// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ManagementModule} from "./ManagementModule.sol";
import {VaultAssets} from "../base/VaultAssets.sol";
import {AaveV3LendingAdapter} from "../adapters/lending/AaveV3LendingAdapter.sol";
import {UniswapV3SwapAdapter} from "../adapters/swap/UniswapV3SwapAdapter.sol";
import {ChainlinkOracleAdapter} from "../oracle/ChainlinkOracleAdapter.sol";
import {AaveUniswapMarkets} from "./AaveUniswapMarkets.sol";

/// @title AaveUniswapManagementModule
/// @notice Roles and timelocked parameters of Aave V3 + Uniswap V3 vaults (market limits read from Aave, pools
///         from the Uniswap factory); reached through the automation module's fallback, in the vault's context.
contract AaveUniswapManagementModule is ManagementModule, AaveV3LendingAdapter, UniswapV3SwapAdapter {
    constructor(AaveUniswapMarkets.Markets memory markets, OracleConfig memory oracle, address settingsModule)
        VaultAssets(markets.collateralAsset, markets.debtAsset)
        AaveV3LendingAdapter(markets.aavePool, markets.eModeCategory)
        UniswapV3SwapAdapter(markets.swapRouter, markets.uniswapFactory)
        ChainlinkOracleAdapter(oracle)
        ManagementModule(AaveUniswapMarkets.hash(markets, oracle), settingsModule)
    {}
}
