// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {StorageSlot} from "@openzeppelin/contracts/utils/StorageSlot.sol";
import {IVaultManagement} from "../interfaces/IVaultManagement.sol";
import {IVaultRefinanceErrors} from "../interfaces/IVaultRefinance.sol";
import {IVenueMover} from "../interfaces/IVenueMover.sol";
import {LendingAdapter} from "../adapters/lending/LendingAdapter.sol";
import {VenueMove} from "../libraries/VenueMove.sol";
import {LeverageMath} from "../libraries/LeverageMath.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {VaultLimits} from "../vault/VaultLimits.sol";

/// @dev The getters that lead from a vault implementation to its management module.
interface IVaultStack {
    function MODULE() external view returns (address);
    function MANAGEMENT_MODULE() external view returns (address);
}

/// @title VenueMover
/// @notice One venue's side of a refinance (IVenueMover), in the vault's context: the settings module runs the move
///         and checks it; the destination's mover takes the position over with its venue's debt-opening flash loan,
///         inside which the source's mover repays and withdraws everything. Venue-agnostic: a venue is its lending
///         adapter (`_enterVenue`, `_flashBorrowDebt`, `_supplyCollateral`, ...), as for the vault itself.
///         The last module of the vault's fallback chain, it also answers the vault's ERC-4626 limits (VaultLimits),
///         which read the venue, the pool and the oracle and have no room in the vault.
abstract contract VenueMover is IVenueMover, IVaultRefinanceErrors, VaultLimits {
    using Math for uint256;

    /// @dev This contract, to tell the destination of a move (the one the settings module named) from the source.
    address private immutable MOVER = address(this);
    /// @dev OpenZeppelin's ERC20 `_name` and `_symbol`: slots 3 and 4 of a vault, whose only sequential storage is
    ///      ERC20's (balances, allowances, supply, name, symbol; the rest is namespaced). A proxy never runs the
    ///      constructor that writes them (test/refinance checks a proxy's name and symbol).
    bytes32 private constant ERC20_NAME_SLOT = bytes32(uint256(3));
    bytes32 private constant ERC20_SYMBOL_SLOT = bytes32(uint256(4));

    /// @inheritdoc IVenueMover
    bytes32 public immutable VENUE;

    constructor(bytes32 venue) {
        VENUE = venue;
    }

    /// @inheritdoc IVenueMover
    function borrowRatePerYear() external view returns (uint256) {
        return _borrowRatePerYear();
    }

    /// @inheritdoc IVenueMover
    function initializeProxy(string calldata name, string calldata symbol, IVaultManagement.InitParams calldata params)
        external
        onlyDelegated
    {
        address implementation = ERC1967Utils.getImplementation();
        if (implementation == address(0)) revert VaultNotRefinanceable();
        // The management module of the implementation's stack validates and writes the configuration; a second call
        // reverts there (`VaultAlreadyInitialized`).
        address management = IVaultStack(IVaultStack(implementation).MODULE()).MANAGEMENT_MODULE();
        Address.functionDelegateCall(management, abi.encodeCall(IVaultManagement.initialize, (params)));
        StorageSlot.getStringSlot(ERC20_NAME_SLOT).value = name;
        StorageSlot.getStringSlot(ERC20_SYMBOL_SLOT).value = symbol;
        _enterVenue();
        _enterRoute();
    }

    /// @inheritdoc IVenueMover
    function moveIn(address sourceMover, uint256 collateral, uint256 debt) external onlyDelegated {
        if (VenueMove.mover() != MOVER) revert VaultNotMoving();
        uint256 supplyRoom = _supplyRoom();
        if (supplyRoom < collateral) revert VaultRefinanceDestinationShort(collateral, supplyRoom);
        _enterVenue();
        if (debt == 0) return _takeOver(sourceMover);
        uint256 lendable = _debtLendable();
        if (lendable < debt) revert VaultRefinanceDestinationShort(debt, lendable);
        // The destination lends only up to its max LTV: above it the move is refused here, by name, rather than by
        // the venue's own borrow check (its health factor reported, the floor that the move could not keep).
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        uint256 collateralValue = collateral.mulDiv(collateralPrice, COLLATERAL_UNIT);
        uint256 debtValue = _debtValue(debt, debtPrice);
        if (debtValue > collateralValue.mulDiv(_maxLtvBps(), BPS)) {
            revert VaultRefinanceUnhealthy(
                LeverageMath.healthFactor(collateralValue, debtValue, _liquidationThresholdBps()), _vault().leverage.minHealthFactor
            );
        }
        // The loan arrives, repays the source (which frees the collateral to supply here) and stays open as debt.
        _flashBorrowDebt(debt, abi.encode(sourceMover));
    }

    /// @inheritdoc IVenueMover
    function moveOut() external onlyDelegated returns (uint256 collateral) {
        if (VenueMove.mover() == address(0)) revert VaultNotMoving();
        if (_debtBalance() != 0) _repayDebt(type(uint256).max);
        if (_collateralBalance() != 0) collateral = _withdrawCollateral(type(uint256).max, address(this));
    }

    /// @inheritdoc LendingAdapter
    /// @dev Only a move's loan reaches a mover (the vault's own moves call back the vault's code).
    function _onFlashLoan(address, uint256, uint256, bytes memory data) internal override {
        _takeOver(abi.decode(data, (address)));
    }

    /// @dev The source's mover hands everything over; the collateral it frees is supplied here.
    function _takeOver(address sourceMover) private {
        bytes memory returned = Address.functionDelegateCall(sourceMover, abi.encodeCall(IVenueMover.moveOut, ()));
        uint256 collateral = abi.decode(returned, (uint256));
        if (collateral != 0) _supplyCollateral(collateral);
    }
}
