// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EmergencyModule} from "./EmergencyModule.sol";
import {VaultAssets} from "../base/VaultAssets.sol";
import {MorphoBlueLendingModule} from "../adapters/lending/MorphoBlueLendingModule.sol";
import {UniswapV3SwapModule} from "../adapters/swap/UniswapV3SwapModule.sol";
import {ChainlinkOracleModule} from "../oracle/ChainlinkOracleModule.sol";
import {MorphoUniswapMarkets} from "../vault/MorphoUniswapMarkets.sol";

/// @title MorphoUniswapEmergencyModule
/// @notice The ripcord and the oracle-outage deleverage of Morpho Blue + Uniswap V3 vaults; reached through the
///         automation module's fallback, in the vault's context. One instance serves every vault on the same market.
contract MorphoUniswapEmergencyModule is EmergencyModule, MorphoBlueLendingModule, UniswapV3SwapModule {
    constructor(MorphoUniswapMarkets.Markets memory markets, OracleConfig memory oracle)
        VaultAssets(markets.collateralAsset, markets.debtAsset)
        MorphoBlueLendingModule(markets.morpho, markets.morphoOracle, markets.irm, markets.lltv)
        UniswapV3SwapModule(markets.swapRouter, markets.uniswapFactory)
        ChainlinkOracleModule(oracle)
        EmergencyModule(MorphoUniswapMarkets.hash(markets, oracle))
    {}
}
