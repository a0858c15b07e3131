// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {VenueMover} from "./VenueMover.sol";
import {VaultAssets} from "../base/VaultAssets.sol";
import {AaveV3LendingAdapter} from "../adapters/lending/AaveV3LendingAdapter.sol";
import {AaveV3FlashLoanReceiver} from "../adapters/lending/AaveV3FlashLoanReceiver.sol";
import {UniswapV3SwapAdapter} from "../adapters/swap/UniswapV3SwapAdapter.sol";
import {ChainlinkOracleAdapter} from "../oracle/ChainlinkOracleAdapter.sol";
import {AaveUniswapMarkets} from "../vault/AaveUniswapMarkets.sol";

/// @title AaveUniswapVenueMover
/// @notice Refinancing into and out of an Aave V3 pool (its flash loan in variable-debt mode opens the debt).
contract AaveUniswapVenueMover is VenueMover, AaveV3FlashLoanReceiver, UniswapV3SwapAdapter {
    constructor(AaveUniswapMarkets.Markets memory markets, OracleConfig memory oracle)
        VaultAssets(markets.collateralAsset, markets.debtAsset)
        AaveV3LendingAdapter(markets.aavePool, markets.eModeCategory)
        UniswapV3SwapAdapter(markets.swapRouter, markets.uniswapFactory)
        ChainlinkOracleAdapter(oracle)
        VenueMover("aave-v3")
    {}
}
