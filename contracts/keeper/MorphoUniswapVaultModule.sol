// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AutomationModule} from "./AutomationModule.sol";
import {KeeperModule} from "./KeeperModule.sol";
import {VaultAssets} from "../base/VaultAssets.sol";
import {MorphoBlueLendingAdapter} from "../adapters/lending/MorphoBlueLendingAdapter.sol";
import {UniswapV3SwapAdapter} from "../adapters/swap/UniswapV3SwapAdapter.sol";
import {ChainlinkOracleAdapter} from "../oracle/ChainlinkOracleAdapter.sol";
import {MorphoUniswapMarkets} from "../vault/MorphoUniswapMarkets.sol";

/// @title MorphoUniswapVaultModule
/// @notice Automation for Morpho Blue + Uniswap V3 vaults, forwarding the ripcord and the outage path to
///         `emergencyModule` and management to `managementModule`; one instance serves every vault built on the same
///         market, route and feeds, always through the vault's delegatecall.
contract MorphoUniswapVaultModule is KeeperModule, MorphoBlueLendingAdapter, UniswapV3SwapAdapter {
    constructor(
        MorphoUniswapMarkets.Markets memory markets,
        OracleConfig memory oracle,
        address managementModule,
        address emergencyModule
    )
        VaultAssets(markets.collateralAsset, markets.debtAsset)
        MorphoBlueLendingAdapter(markets.morpho, markets.morphoOracle, markets.irm, markets.lltv)
        UniswapV3SwapAdapter(markets.swapRouter, markets.uniswapFactory)
        ChainlinkOracleAdapter(oracle)
        AutomationModule(MorphoUniswapMarkets.hash(markets, oracle))
        KeeperModule(managementModule, emergencyModule)
    {}
}
