// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {VenueMover} from "./VenueMover.sol";
import {VaultAssets} from "../base/VaultAssets.sol";
import {MorphoBlueLendingAdapter} from "../adapters/lending/MorphoBlueLendingAdapter.sol";
import {MorphoBlueFlashLoanReceiver} from "../adapters/lending/MorphoBlueFlashLoanReceiver.sol";
import {UniswapV3SwapAdapter} from "../adapters/swap/UniswapV3SwapAdapter.sol";
import {ChainlinkOracleAdapter} from "../oracle/ChainlinkOracleAdapter.sol";
import {MorphoUniswapMarkets} from "../vault/MorphoUniswapMarkets.sol";

/// @title MorphoUniswapVenueMover
/// @notice Refinancing into and out of a Morpho Blue market (its free flash loan, borrowed back at the callback's end).
contract MorphoUniswapVenueMover is VenueMover, MorphoBlueFlashLoanReceiver, UniswapV3SwapAdapter {
    constructor(MorphoUniswapMarkets.Markets memory markets, OracleConfig memory oracle)
        VaultAssets(markets.collateralAsset, markets.debtAsset)
        MorphoBlueLendingAdapter(markets.morpho, markets.morphoOracle, markets.irm, markets.lltv)
        UniswapV3SwapAdapter(markets.swapRouter, markets.uniswapFactory)
        ChainlinkOracleAdapter(oracle)
        VenueMover("morpho-blue")
    {}
}
