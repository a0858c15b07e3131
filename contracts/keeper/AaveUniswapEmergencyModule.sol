// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EmergencyModule} from "./EmergencyModule.sol";
import {VaultAssets} from "../base/VaultAssets.sol";
import {AaveV3LendingModule} from "../adapters/lending/AaveV3LendingModule.sol";
import {UniswapV3SwapModule} from "../adapters/swap/UniswapV3SwapModule.sol";
import {ChainlinkOracleModule} from "../oracle/ChainlinkOracleModule.sol";
import {AaveUniswapMarkets} from "../vault/AaveUniswapMarkets.sol";

/// @title AaveUniswapEmergencyModule
/// @notice The ripcord and the oracle-outage deleverage of Aave V3 + Uniswap V3 vaults; reached through the
///         automation module's fallback, in the vault's context. One instance serves every vault on the same markets.
contract AaveUniswapEmergencyModule is EmergencyModule, AaveV3LendingModule, UniswapV3SwapModule {
    constructor(AaveUniswapMarkets.Markets memory markets, OracleConfig memory oracle)
        VaultAssets(markets.collateralAsset, markets.debtAsset)
        AaveV3LendingModule(markets.aavePool, markets.eModeCategory)
        UniswapV3SwapModule(markets.swapRouter, markets.uniswapFactory)
        ChainlinkOracleModule(oracle)
        EmergencyModule(AaveUniswapMarkets.hash(markets, oracle))
    {}
}
