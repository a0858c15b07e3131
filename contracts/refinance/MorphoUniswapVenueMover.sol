// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {VenueMover} from "./VenueMover.sol";
import {VaultAssets} from "../base/VaultAssets.sol";
import {MorphoBlueLendingModule} from "../adapters/lending/MorphoBlueLendingModule.sol";
import {MorphoBlueFlashLoanReceiver} from "../adapters/lending/MorphoBlueFlashLoanReceiver.sol";
import {UniswapV3SwapModule} from "../adapters/swap/UniswapV3SwapModule.sol";
import {ChainlinkOracleModule} from "../oracle/ChainlinkOracleModule.sol";
import {MorphoUniswapMarkets} from "../vault/MorphoUniswapMarkets.sol";

/// @title MorphoUniswapVenueMover
/// @notice Refinancing into and out of a Morpho Blue market (its free flash loan, borrowed back at the callback's end).
contract MorphoUniswapVenueMover is VenueMover, MorphoBlueFlashLoanReceiver, UniswapV3SwapModule {
    constructor(MorphoUniswapMarkets.Markets memory markets, OracleConfig memory oracle)
        VaultAssets(markets.collateralAsset, markets.debtAsset)
        MorphoBlueLendingModule(markets.morpho, markets.morphoOracle, markets.irm, markets.lltv)
        UniswapV3SwapModule(markets.swapRouter, markets.uniswapFactory)
        ChainlinkOracleModule(oracle)
        VenueMover("morpho-blue")
    {}
}
