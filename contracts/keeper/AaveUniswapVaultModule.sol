// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AutomationModule} from "./AutomationModule.sol";
import {KeeperModule} from "./KeeperModule.sol";
import {VaultAssets} from "../base/VaultAssets.sol";
import {AaveV3LendingAdapter} from "../adapters/lending/AaveV3LendingAdapter.sol";
import {UniswapV3SwapAdapter} from "../adapters/swap/UniswapV3SwapAdapter.sol";
import {ChainlinkOracleAdapter} from "../oracle/ChainlinkOracleAdapter.sol";
import {AaveUniswapMarkets} from "../vault/AaveUniswapMarkets.sol";

/// @title AaveUniswapVaultModule
/// @notice Automation for Aave V3 + Uniswap V3 vaults, forwarding the ripcord and the outage path to `emergencyModule`
///         and management to `managementModule`; one instance serves every vault built on the same markets and
///         feeds, always through the vault's delegatecall.
contract AaveUniswapVaultModule is KeeperModule, AaveV3LendingAdapter, UniswapV3SwapAdapter {
    constructor(
        AaveUniswapMarkets.Markets memory markets,
        OracleConfig memory oracle,
        address managementModule,
        address emergencyModule
    )
        VaultAssets(markets.collateralAsset, markets.debtAsset)
        AaveV3LendingAdapter(markets.aavePool, markets.eModeCategory)
        UniswapV3SwapAdapter(markets.swapRouter, markets.uniswapFactory)
        ChainlinkOracleAdapter(oracle)
        AutomationModule(AaveUniswapMarkets.hash(markets, oracle))
        KeeperModule(managementModule, emergencyModule)
    {}
}
