// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ManagementModule} from "./ManagementModule.sol";
import {VaultAssets} from "../base/VaultAssets.sol";
import {MorphoBlueLendingModule} from "../adapters/lending/MorphoBlueLendingModule.sol";
import {UniswapV3SwapModule} from "../adapters/swap/UniswapV3SwapModule.sol";
import {ChainlinkOracleModule} from "../oracle/ChainlinkOracleModule.sol";
import {MorphoUniswapMarkets} from "./MorphoUniswapMarkets.sol";

/// @title MorphoUniswapManagementModule
/// @notice Roles and timelocked parameters of Morpho Blue + Uniswap V3 vaults (limits from the market's LLTV);
///         reached through the automation module's fallback, in the vault's context.
contract MorphoUniswapManagementModule is ManagementModule, MorphoBlueLendingModule, UniswapV3SwapModule {
    constructor(MorphoUniswapMarkets.Markets memory markets, OracleConfig memory oracle, address settingsModule)
        VaultAssets(markets.collateralAsset, markets.debtAsset)
        MorphoBlueLendingModule(markets.morpho, markets.morphoOracle, markets.irm, markets.lltv)
        UniswapV3SwapModule(markets.swapRouter, markets.uniswapFactory)
        ChainlinkOracleModule(oracle)
        ManagementModule(MorphoUniswapMarkets.hash(markets, oracle), settingsModule)
    {}
}
