// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IOracleModule} from "./IOracleModule.sol";
import {IVaultManagement} from "./IVaultManagement.sol";

/// @title IVaultDeployer
/// @notice Deploys the vaults of one venue (one vault contract) with CREATE2. The markets travel as opaque bytes: the
///         ABI encoding of the venue's Markets struct (AaveUniswapMarkets.Markets, MorphoUniswapMarkets.Markets), which
///         only the deployer decodes, so one factory serves every venue. Anyone may deploy through it: the salt is
///         bound to the caller, so a caller only ever reaches its own addresses.
interface IVaultDeployer {
    /// @notice What a deployer reads from a venue's markets.
    /// @param marketsHash the venue library's `hash(markets, oracle)`, which a module built for them holds as MARKETS_HASH
    /// @param collateralAsset the vaults' asset
    /// @param debtAsset the asset the vaults borrow
    struct MarketsInfo {
        bytes32 marketsHash;
        address collateralAsset;
        address debtAsset;
    }

    /// @notice A data contract holding part of the vault's creation code could not be created.
    error DeployerCodeStoreFailed();

    /// @notice The venue of the vaults this deployer creates, a short string in bytes32 ("aave-v3", "morpho-blue").
    function VENUE() external view returns (bytes32);

    /// @notice Decodes `markets` (reverts when they are not the venue's Markets encoding) and hashes them with `oracle`.
    function marketsInfo(bytes calldata markets, IOracleModule.OracleConfig calldata oracle)
        external
        pure
        returns (MarketsInfo memory);

    /// @notice Deploys a vault at `predict(msg.sender, salt, ...)` with these constructor arguments.
    function deploy(
        bytes32 salt,
        bytes calldata markets,
        IOracleModule.OracleConfig calldata oracle,
        string calldata name,
        string calldata symbol,
        address module,
        IVaultManagement.InitParams calldata params
    ) external returns (address vault);

    /// @notice The address `deploy` reaches when called by `caller` with these arguments.
    function predict(
        address caller,
        bytes32 salt,
        bytes calldata markets,
        IOracleModule.OracleConfig calldata oracle,
        string calldata name,
        string calldata symbol,
        address module,
        IVaultManagement.InitParams calldata params
    ) external view returns (address);
}
