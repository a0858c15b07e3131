// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {VenueMover} from "./VenueMover.sol";
import {VaultAssets} from "../base/VaultAssets.sol";
import {AaveV3LendingModule} from "../adapters/lending/AaveV3LendingModule.sol";
import {AaveV3FlashLoanReceiver} from "../adapters/lending/AaveV3FlashLoanReceiver.sol";
import {UniswapV3SwapModule} from "../adapters/swap/UniswapV3SwapModule.sol";
import {ChainlinkOracleModule} from "../oracle/ChainlinkOracleModule.sol";
import {AaveUniswapMarkets} from "../vault/AaveUniswapMarkets.sol";

/// @title AaveUniswapVenueMover
/// @notice Refinancing into and out of an Aave V3 pool (its flash loan in variable-debt mode opens the debt).
contract AaveUniswapVenueMover is VenueMover, AaveV3FlashLoanReceiver, UniswapV3SwapModule {
    constructor(AaveUniswapMarkets.Markets memory markets, OracleConfig memory oracle)
        VaultAssets(markets.collateralAsset, markets.debtAsset)
        AaveV3LendingModule(markets.aavePool, markets.eModeCategory)
        UniswapV3SwapModule(markets.swapRouter, markets.uniswapFactory)
        ChainlinkOracleModule(oracle)
        VenueMover("aave-v3")
    {}
}
