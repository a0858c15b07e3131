// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";
import {IMorpho, Id, MarketParams} from "@morpho-org/morpho-blue/src/interfaces/IMorpho.sol";
import {IOracle} from "@morpho-org/morpho-blue/src/interfaces/IOracle.sol";
import {IIrm} from "@morpho-org/morpho-blue/src/interfaces/IIrm.sol";
import {MarketParamsLib} from "@morpho-org/morpho-blue/src/libraries/MarketParamsLib.sol";
import {SharesMathLib} from "@morpho-org/morpho-blue/src/libraries/SharesMathLib.sol";
import {MorphoBalancesLib} from "@morpho-org/morpho-blue/src/libraries/periphery/MorphoBalancesLib.sol";
import {MorphoLib} from "@morpho-org/morpho-blue/src/libraries/periphery/MorphoLib.sol";
import {LendingAdapter} from "./LendingAdapter.sol";
import {StaticReads} from "../../libraries/StaticReads.sol";

/// @title MorphoBlueLendingAdapter
/// @notice Lending adapter on one Morpho Blue market (isolated: one collateral, one loan token, an oracle and an
///         LLTV). What differs from Aave stays here: health from the LLTV on Morpho's own oracle, no caps (the room to
///         borrow is the market's liquidity), free flash loans, no debt-opening flash loan (a loan of the debt asset is
///         borrowed at the end of the callback instead), repay-all by shares (no dust), no close factor, and
///         Morpho's liquidation incentive factor min(1.15, 1 / (1 - 0.3 (1 - LLTV))) in place of Aave's bonus.
///         The flash-loan callback lives in `MorphoBlueFlashLoanReceiver`, which only the vault inherits.
abstract contract MorphoBlueLendingAdapter is LendingAdapter {
    using SafeERC20 for IERC20;
    using TransientSlot for *;
    using MarketParamsLib for MarketParams;
    using SharesMathLib for uint256;
    using MorphoBalancesLib for IMorpho;
    using MorphoLib for IMorpho;

    uint256 private constant WAD_ = 1e18;
    uint256 private constant ORACLE_SCALE = 1e36;
    /// @dev Morpho's ConstantsLib: incentive cursor 0.3 and the factor's cap 1.15.
    uint256 private constant LIQUIDATION_CURSOR = 0.3e18;
    uint256 private constant MAX_LIQUIDATION_INCENTIVE_FACTOR = 1.15e18;

    IMorpho internal immutable MORPHO;
    address internal immutable MORPHO_ORACLE;
    address internal immutable MORPHO_IRM;
    uint256 internal immutable MORPHO_LLTV;
    /// @dev keccak256 of the market's parameters: Morpho's market id.
    Id internal immutable MARKET_ID;

    /// @dev Transient flag set only while a flash loan this vault started is out (ERC-7201 formula on
    ///      "levered-vaults.transient.MorphoBlueLendingModule.flashLoanPending"); see AaveV3LendingAdapter for why a slot.
    bytes32 internal constant MORPHO_FLASH_LOAN_PENDING_SLOT =
        0xaa7a12690a2a1659cc34167e09720a8891e60434d5f70d759afb738637539b00;

    constructor(IMorpho morpho, address oracle, address irm, uint256 lltv) {
        (MORPHO, MORPHO_ORACLE, MORPHO_IRM, MORPHO_LLTV) = (morpho, oracle, irm, lltv);
        MARKET_ID = _marketParams().id();
        _enterVenue();
    }

    function _enterVenue() internal override {
        IERC20(COLLATERAL_ASSET).forceApprove(address(MORPHO), type(uint256).max);
        IERC20(DEBT_ASSET).forceApprove(address(MORPHO), type(uint256).max);
    }

    /// @dev The market's interest-rate model, per second, over a year.
    function _borrowRatePerYear() internal view override returns (uint256) {
        return IIrm(MORPHO_IRM).borrowRateView(_marketParams(), MORPHO.market(MARKET_ID)) * 365 days;
    }

    /// @dev Morpho Blue does not lend collateral out: it earns nothing there.
    function _supplyRatePerYear() internal pure override returns (uint256) {
        return 0;
    }

    /// @dev Morpho flash-lends its whole balance of a token (every market's included).
    function _debtFlashRoom() internal view override returns (uint256) {
        return StaticReads.balanceOf(DEBT_ASSET, address(MORPHO));
    }

    /// @dev The borrow room is the market's liquidity already (Morpho has no caps).
    function _debtLendable() internal view override returns (uint256) {
        return _borrowRoom(0);
    }

    function _marketParams() internal view returns (MarketParams memory) {
        return MarketParams(DEBT_ASSET, COLLATERAL_ASSET, MORPHO_ORACLE, MORPHO_IRM, MORPHO_LLTV);
    }

    function _supplyCollateral(uint256 amount) internal override {
        MORPHO.supplyCollateral(_marketParams(), amount, address(this), "");
    }

    function _withdrawCollateral(uint256 amount, address to) internal override returns (uint256) {
        if (amount == type(uint256).max) amount = _collateralBalance();
        MORPHO.withdrawCollateral(_marketParams(), amount, address(this), to);
        return amount;
    }

    /// @dev At or above the debt, every borrow share is repaid (Morpho rounds the assets up): nothing is left owed.
    function _repayDebt(uint256 amount) internal override returns (uint256 repaid) {
        if (amount >= _debtBalance()) {
            (repaid,) = MORPHO.repay(_marketParams(), 0, MORPHO.borrowShares(MARKET_ID, address(this)), address(this), "");
        } else {
            (repaid,) = MORPHO.repay(_marketParams(), amount, 0, address(this), "");
        }
    }

    function _collateralBalance() internal view override returns (uint256) {
        return MORPHO.collateral(MARKET_ID, address(this));
    }

    /// @dev With the interest accrued since the market's last update (what repaying every share costs now).
    function _debtBalance() internal view override returns (uint256) {
        return MORPHO.expectedBorrowAssets(_marketParams(), address(this));
    }

    function _liquidationThresholdBps() internal view override returns (uint256) {
        return MORPHO_LLTV / 1e14;
    }

    function _liquidationBonusBps() internal view override returns (uint256) {
        uint256 factor = WAD_ * WAD_ / (WAD_ - LIQUIDATION_CURSOR * (WAD_ - MORPHO_LLTV) / WAD_);
        return Math.min(factor, MAX_LIQUIDATION_INCENTIVE_FACTOR) / 1e14;
    }

    /// @dev Morpho lends up to the LLTV itself.
    function _maxLtvBps() internal view override returns (uint256) {
        return MORPHO_LLTV / 1e14;
    }

    function _liquidationProtocolFeeBps() internal pure override returns (uint256) {
        return 0;
    }

    /// @dev Morpho's health check, as a factor: collateral x oracle price x LLTV over the debt.
    function _marketHealthFactor() internal view override returns (uint256) {
        uint256 debt = _debtBalance();
        if (debt == 0) return type(uint256).max;
        uint256 maxBorrow = Math.mulDiv(_collateralBalance(), IOracle(MORPHO_ORACLE).price(), ORACLE_SCALE);
        return Math.mulDiv(maxBorrow, MORPHO_LLTV, debt);
    }

    /// @dev Morpho has no close factor: up to the whole debt.
    function _maxOwnLiquidation(uint256 debt) internal pure override returns (uint256) {
        return debt;
    }

    function _liquidateOwnDebt(uint256 debtAmount) internal override returns (uint256 collateralReceived) {
        (,, uint256 totalBorrowAssets, uint256 totalBorrowShares) = MORPHO.expectedMarketBalances(_marketParams());
        uint256 shares = debtAmount.toSharesDown(totalBorrowAssets, totalBorrowShares);
        (collateralReceived,) = MORPHO.liquidate(_marketParams(), address(this), 0, shares, "");
    }

    /// @dev Morpho has no supply cap.
    function _supplyRoom() internal pure override returns (uint256) {
        return type(uint256).max;
    }

    /// @dev No borrow cap either: what the market has not lent out, and at most half of Morpho's balance of the debt
    ///      asset (a debt-opening flash loan takes the amount out, then the borrow that returns it takes it again).
    function _borrowRoom(uint256 repaidFirst) internal view override returns (uint256) {
        (uint256 supplied,, uint256 borrowed,) = MORPHO.expectedMarketBalances(_marketParams());
        return Math.min(
            supplied + repaidFirst > borrowed ? supplied + repaidFirst - borrowed : 0,
            (StaticReads.balanceOf(DEBT_ASSET, address(MORPHO)) + repaidFirst) / 2
        );
    }

    /// @dev Morpho lends its whole balance of a token (every market's collateral included), half of it here.
    function _collateralFlashRoom() internal view override returns (uint256) {
        return StaticReads.balanceOf(COLLATERAL_ASSET, address(MORPHO)) / 2;
    }

    function _flashLoanPremiumBps() internal pure override returns (uint256) {
        return 0;
    }

    /// @dev Morpho's flash loans cannot stay open as debt: the callback borrows the same amount at its end, which
    ///      returns the loan (Morpho pulls it back after the callback).
    function _flashBorrowDebt(uint256 amount, bytes memory data) internal override {
        MORPHO_FLASH_LOAN_PENDING_SLOT.asBoolean().tstore(true);
        MORPHO.flashLoan(DEBT_ASSET, amount, abi.encode(true, DEBT_ASSET, data));
    }

    function _flashLoan(address asset, uint256 amount, bytes memory data) internal override {
        MORPHO_FLASH_LOAN_PENDING_SLOT.asBoolean().tstore(true);
        MORPHO.flashLoan(asset, amount, abi.encode(false, asset, data));
    }
}
