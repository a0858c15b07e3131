// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AutomationModule} from "./AutomationModule.sol";
import {KeeperModule} from "./KeeperModule.sol";
import {VaultAssets} from "../base/VaultAssets.sol";
import {AaveV3LendingModule} from "../adapters/lending/AaveV3LendingModule.sol";
import {UniswapV3SwapModule} from "../adapters/swap/UniswapV3SwapModule.sol";
import {ChainlinkOracleModule} from "../oracle/ChainlinkOracleModule.sol";
import {AaveUniswapMarkets} from "../vault/AaveUniswapMarkets.sol";

/// @title AaveUniswapVaultModule
/// @notice Automation for Aave V3 + Uniswap V3 vaults, forwarding the ripcord and the outage path to `emergencyModule`
///         and management to `managementModule`; one instance serves every vault built on the same markets and
///         feeds, always through the vault's delegatecall.
contract AaveUniswapVaultModule is KeeperModule, AaveV3LendingModule, UniswapV3SwapModule {
    constructor(
        AaveUniswapMarkets.Markets memory markets,
        OracleConfig memory oracle,
        address managementModule,
        address emergencyModule
    )
        VaultAssets(markets.collateralAsset, markets.debtAsset)
        AaveV3LendingModule(markets.aavePool, markets.eModeCategory)
        UniswapV3SwapModule(markets.swapRouter, markets.uniswapFactory)
        ChainlinkOracleModule(oracle)
        AutomationModule(AaveUniswapMarkets.hash(markets, oracle))
        KeeperModule(managementModule, emergencyModule)
    {}
}
