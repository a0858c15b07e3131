// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IPool} from "@aave/core-v3/contracts/interfaces/IPool.sol";
import {IMorpho, MarketParams, Position} from "@morpho-org/morpho-blue/src/interfaces/IMorpho.sol";
import {MarketParamsLib} from "@morpho-org/morpho-blue/src/libraries/MarketParamsLib.sol";
import {MorphoBalancesLib} from "@morpho-org/morpho-blue/src/libraries/periphery/MorphoBalancesLib.sol";

/// @title RefinanceFloorProbe
/// @notice Benchmark double, never shipped: holds a position on Aave V3 or on one Morpho Blue market like a vault and
///         moves it to the other with only the calls a move cannot avoid (the destination's debt-opening flash loan,
///         repay all and withdraw all on the source, supply and borrow on the destination), no checks and no reads.
///         Its gas is the floor a vault's refinance (`acceptChange(ChangeKind.Venue)`) is compared to.
contract RefinanceFloorProbe {
    using MarketParamsLib for MarketParams;
    using MorphoBalancesLib for IMorpho;

    IPool public immutable POOL;
    IMorpho public immutable MORPHO;
    address public immutable COLLATERAL;
    address public immutable DEBT;
    address public immutable ORACLE;
    address public immutable IRM;
    uint256 public immutable LLTV;

    constructor(IPool pool, IMorpho morpho, MarketParams memory market) {
        (POOL, MORPHO) = (pool, morpho);
        (COLLATERAL, DEBT, ORACLE, IRM, LLTV) = (market.collateralToken, market.loanToken, market.oracle, market.irm, market.lltv);
        for (uint256 i; i < 2; ++i) {
            address token = i == 0 ? COLLATERAL : DEBT;
            IERC20(token).approve(address(pool), type(uint256).max);
            IERC20(token).approve(address(morpho), type(uint256).max);
        }
    }

    function _market() private view returns (MarketParams memory) {
        return MarketParams(DEBT, COLLATERAL, ORACLE, IRM, LLTV);
    }

    /// @notice The probe's debt on Morpho with interest to this block (raw debt units); on Aave its variable debt
    ///         token's balance says it.
    function morphoDebt() external view returns (uint256) {
        return MORPHO.expectedBorrowAssets(_market(), address(this));
    }

    /// @notice Borrows in Aave efficiency-mode `category`, as a vault built for it does.
    function enterEMode(uint8 category) external {
        POOL.setUserEMode(category);
    }

    /// @notice Opens the position to move: `collateral` pulled from the caller and supplied, `debt` borrowed (kept).
    function open(bool onAave, uint256 collateral, uint256 debt) external {
        IERC20(COLLATERAL).transferFrom(msg.sender, address(this), collateral);
        if (onAave) {
            POOL.supply(COLLATERAL, collateral, address(this), 0);
            POOL.borrow(DEBT, debt, 2, 0, address(this));
        } else {
            MORPHO.supplyCollateral(_market(), collateral, address(this), "");
            MORPHO.borrow(_market(), debt, 0, address(this), address(this));
        }
    }

    /// @notice Moves everything from Aave to Morpho (`toMorpho`) or back; `debt` is what is owed now (raw units).
    function move(bool toMorpho, uint256 debt) public {
        if (toMorpho) {
            MORPHO.flashLoan(DEBT, debt, abi.encode(debt));
        } else {
            address[] memory assets = new address[](1);
            uint256[] memory amounts = new uint256[](1);
            uint256[] memory modes = new uint256[](1);
            (assets[0], amounts[0], modes[0]) = (DEBT, debt, 2);
            POOL.flashLoan(address(this), assets, amounts, modes, address(this), "", 0);
        }
    }

    /// @notice Morpho flash-loan callback (Aave -> Morpho): repay and withdraw on Aave, supply and borrow on Morpho.
    function onMorphoFlashLoan(uint256 assets, bytes calldata) external {
        POOL.repay(DEBT, type(uint256).max, 2, address(this));
        uint256 collateral = POOL.withdraw(COLLATERAL, type(uint256).max, address(this));
        MORPHO.supplyCollateral(_market(), collateral, address(this), "");
        MORPHO.borrow(_market(), assets, 0, address(this), address(this));
    }

    /// @notice Aave flash-loan callback (Morpho -> Aave): repay by shares and withdraw on Morpho, supply on Aave;
    ///         Aave opens the debt after it.
    function executeOperation(address[] calldata, uint256[] calldata, uint256[] calldata, address, bytes calldata)
        external
        returns (bool)
    {
        MarketParams memory market = _market();
        Position memory held = MORPHO.position(market.id(), address(this));
        MORPHO.repay(market, 0, held.borrowShares, address(this), "");
        MORPHO.withdrawCollateral(market, held.collateral, address(this), address(this));
        POOL.supply(COLLATERAL, held.collateral, address(this), 0);
        return true;
    }
}
