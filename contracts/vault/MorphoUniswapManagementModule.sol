// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ManagementModule} from "./ManagementModule.sol";
import {VaultAssets} from "../base/VaultAssets.sol";
import {MorphoBlueLendingAdapter} from "../adapters/lending/MorphoBlueLendingAdapter.sol";
import {UniswapV3SwapAdapter} from "../adapters/swap/UniswapV3SwapAdapter.sol";
import {ChainlinkOracleAdapter} from "../oracle/ChainlinkOracleAdapter.sol";
import {MorphoUniswapMarkets} from "./MorphoUniswapMarkets.sol";

/// @title MorphoUniswapManagementModule
/// @notice Roles and timelocked parameters of Morpho Blue + Uniswap V3 vaults (limits from the market's LLTV);
///         reached through the automation module's fallback, in the vault's context.
contract MorphoUniswapManagementModule is ManagementModule, MorphoBlueLendingAdapter, UniswapV3SwapAdapter {
    constructor(MorphoUniswapMarkets.Markets memory markets, OracleConfig memory oracle, address settingsModule)
        VaultAssets(markets.collateralAsset, markets.debtAsset)
        MorphoBlueLendingAdapter(markets.morpho, markets.morphoOracle, markets.irm, markets.lltv)
        UniswapV3SwapAdapter(markets.swapRouter, markets.uniswapFactory)
        ChainlinkOracleAdapter(oracle)
        ManagementModule(MorphoUniswapMarkets.hash(markets, oracle), settingsModule)
    {}
}
