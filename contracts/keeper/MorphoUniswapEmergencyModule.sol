// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EmergencyModule} from "./EmergencyModule.sol";
import {VaultAssets} from "../base/VaultAssets.sol";
import {MorphoBlueLendingAdapter} from "../adapters/lending/MorphoBlueLendingAdapter.sol";
import {UniswapV3SwapAdapter} from "../adapters/swap/UniswapV3SwapAdapter.sol";
import {ChainlinkOracleAdapter} from "../oracle/ChainlinkOracleAdapter.sol";
import {MorphoUniswapMarkets} from "../vault/MorphoUniswapMarkets.sol";

/// @title MorphoUniswapEmergencyModule
/// @notice The ripcord and the oracle-outage deleverage of Morpho Blue + Uniswap V3 vaults; reached through the
///         automation module's fallback, in the vault's context. One instance serves every vault on the same market.
contract MorphoUniswapEmergencyModule is EmergencyModule, MorphoBlueLendingAdapter, UniswapV3SwapAdapter {
    constructor(MorphoUniswapMarkets.Markets memory markets, OracleConfig memory oracle)
        VaultAssets(markets.collateralAsset, markets.debtAsset)
        MorphoBlueLendingAdapter(markets.morpho, markets.morphoOracle, markets.irm, markets.lltv)
        UniswapV3SwapAdapter(markets.swapRouter, markets.uniswapFactory)
        ChainlinkOracleAdapter(oracle)
        EmergencyModule(MorphoUniswapMarkets.hash(markets, oracle))
    {}
}
