// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ILeverageVault} from "./ILeverageVault.sol";
import {IVaultAutomation} from "./IVaultAutomation.sol";
import {IVaultManagement} from "./IVaultManagement.sol";
import {IOracleModule} from "./IOracleModule.sol";
import {ILendingModuleErrors, ISwapModuleErrors} from "./IModuleErrors.sol";

/// @title ILeveredVault
/// @notice The whole surface of a deployed vault: the ERC-4626 core it implements itself plus the management and
///         automation functions its module serves through delegatecall, and every error either can raise.
interface ILeveredVault is
    ILeverageVault,
    IVaultManagement,
    IVaultAutomation,
    IOracleModule,
    ILendingModuleErrors,
    ISwapModuleErrors
{}
