// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EmergencyModule} from "./EmergencyModule.sol";
import {VaultAssets} from "../base/VaultAssets.sol";
import {AaveV3LendingAdapter} from "../adapters/lending/AaveV3LendingAdapter.sol";
import {UniswapV3SwapAdapter} from "../adapters/swap/UniswapV3SwapAdapter.sol";
import {ChainlinkOracleAdapter} from "../oracle/ChainlinkOracleAdapter.sol";
import {AaveUniswapMarkets} from "../vault/AaveUniswapMarkets.sol";

/// @title AaveUniswapEmergencyModule
/// @notice The ripcord and the oracle-outage deleverage of Aave V3 + Uniswap V3 vaults; reached through the
///         automation module's fallback, in the vault's context. One instance serves every vault on the same markets.
contract AaveUniswapEmergencyModule is EmergencyModule, AaveV3LendingAdapter, UniswapV3SwapAdapter {
    constructor(AaveUniswapMarkets.Markets memory markets, OracleConfig memory oracle)
        VaultAssets(markets.collateralAsset, markets.debtAsset)
        AaveV3LendingAdapter(markets.aavePool, markets.eModeCategory)
        UniswapV3SwapAdapter(markets.swapRouter, markets.uniswapFactory)
        ChainlinkOracleAdapter(oracle)
        EmergencyModule(AaveUniswapMarkets.hash(markets, oracle))
    {}
}
