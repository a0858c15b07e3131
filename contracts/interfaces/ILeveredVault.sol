// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ILeverageVault} from "./ILeverageVault.sol";
import {IVaultKeeper, IVaultKeeperViews} from "./IVaultAutomation.sol";
import {IVaultEmergency, IVaultOutageSettings} from "./IVaultEmergency.sol";
import {IVaultManagement} from "./IVaultManagement.sol";
import {IVaultFees} from "./IVaultFees.sol";
import {IVaultSettings} from "./IVaultSettings.sol";
import {IVaultRefinance} from "./IVaultRefinance.sol";
import {IOraclePrices} from "./IOracleModule.sol";
import {ILendingAdapterErrors, ISwapAdapterErrors} from "./IAdapterErrors.sol";

/// @title ILeveredVault
/// @notice The whole surface of a deployed vault: the ERC-4626 core it implements itself plus the management and
///         automation functions its modules serve through delegatecall, and every error any of them can raise,
///         the OpenZeppelin ones included.
interface ILeveredVault is
    ILeverageVault,
    IVaultManagement,
    IVaultSettings,
    IVaultRefinance,
    IVaultFees,
    IVaultKeeper,
    IVaultKeeperViews,
    IVaultEmergency,
    IVaultOutageSettings,
    IOraclePrices,
    ILendingAdapterErrors,
    ISwapAdapterErrors,
    IERC20Errors
{
    /// @notice ERC-4626 (OpenZeppelin): `assets` above `max` for `receiver`.
    error ERC4626ExceededMaxDeposit(address receiver, uint256 assets, uint256 max);
    /// @notice ERC-4626 (OpenZeppelin): `shares` above `max` for `receiver`.
    error ERC4626ExceededMaxMint(address receiver, uint256 shares, uint256 max);
    /// @notice ERC-4626 (OpenZeppelin): `assets` above what `owner` may withdraw.
    error ERC4626ExceededMaxWithdraw(address owner, uint256 assets, uint256 max);
    /// @notice ERC-4626 (OpenZeppelin): `shares` above what `owner` may redeem.
    error ERC4626ExceededMaxRedeem(address owner, uint256 shares, uint256 max);
    /// @notice A token transfer failed (OpenZeppelin SafeERC20).
    error SafeERC20FailedOperation(address token);
    /// @notice Reentered a guarded function (OpenZeppelin ReentrancyGuardTransient).
    error ReentrancyGuardReentrantCall();
}
