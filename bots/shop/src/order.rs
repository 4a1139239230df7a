//! The order dialog: product, quantity, address, confirmation.

use botwerk::prelude::*;
use serde::{Deserialize, Serialize};

use crate::products::{euros, Product, PRODUCTS};
use crate::{ORDERS, REMEMBER, SAVED_ADDRESS};

const MAX_QUANTITY: u32 = 99;
/// Shortest and longest address accepted, in characters.
const ADDRESS_LEN: std::ops::RangeInclusive<usize> = 8..=300;

/// Where an order stands between two messages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderState {
    /// Not begun: the next step asks for the product.
    #[default]
    Start,
    /// Waiting for a product button.
    Product,
    /// Waiting for the quantity.
    Quantity {
        /// The chosen product's id.
        product: String,
    },
    /// Waiting for the shipping address.
    Address {
        /// The chosen product's id.
        product: String,
        /// How many.
        quantity: u32,
    },
    /// Waiting for confirm or cancel.
    Confirm {
        /// The chosen product's id.
        product: String,
        /// How many.
        quantity: u32,
        /// Where to ship.
        address: String,
    },
}

/// A placed order, as stored in the `orders` category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// The order number the customer was told.
    pub number: u64,
    /// The product's id.
    pub product: String,
    /// How many.
    pub quantity: u32,
    /// Where to ship.
    pub address: String,
    /// The total in euro cents.
    pub total_cents: u64,
    /// When it was placed (RFC 3339, UTC).
    pub placed_at: String,
}

/// The order dialog, started by `/order`.
pub struct OrderDialog;

#[async_trait]
impl Dialog for OrderDialog {
    type State = OrderState;

    async fn step(
        &self,
        ctx: &mut Ctx,
        state: OrderState,
    ) -> Result<Step<OrderState>, HandlerError> {
        match state {
            OrderState::Start => ask_product(ctx).await,
            OrderState::Product => product(ctx).await,
            OrderState::Quantity { product } => quantity(ctx, product).await,
            OrderState::Address { product, quantity } => address(ctx, product, quantity).await,
            OrderState::Confirm {
                product,
                quantity,
                address,
            } => confirm(ctx, product, quantity, address).await,
        }
    }

    async fn cancelled(&self, ctx: &mut Ctx, _state: OrderState) -> HandlerResult {
        let text = ctx.t("shop-cancelled");
        ctx.reply(text).await?;
        Ok(())
    }
}

type Next = Result<Step<OrderState>, HandlerError>;

async fn ask_product(ctx: &mut Ctx) -> Next {
    let buttons = Buttons::column(PRODUCTS.iter().map(|p| {
        let label = ctx.t_with(
            "shop-product-button",
            &[
                ("name", ctx.t(p.name).into()),
                ("price", euros(p.cents.into()).into()),
            ],
        );
        Button::new(label, format!("p:{}", p.id))
    }));
    let text = ctx.t("shop-ask-product");
    ctx.ask(text, buttons).await?;
    Ok(Step::Next(OrderState::Product))
}

async fn product(ctx: &mut Ctx) -> Next {
    let chosen = ctx
        .incoming()
        .button()
        .and_then(|data| data.strip_prefix("p:"))
        .and_then(Product::find);
    let Some(product) = chosen else {
        let text = ctx.t("shop-pick-product");
        ctx.reply(text).await?;
        return Ok(Step::Next(OrderState::Product));
    };
    let name = ctx.t(product.name);
    let buttons = Buttons::row((1..=3).map(|n| Button::new(n.to_string(), format!("q:{n}"))));
    let text = ctx.t_with("shop-ask-quantity", &[("product", name.into())]);
    ctx.ask(text, buttons).await?;
    Ok(Step::Next(OrderState::Quantity {
        product: product.id.to_owned(),
    }))
}

async fn quantity(ctx: &mut Ctx, product: String) -> Next {
    let typed = match &ctx.incoming().content {
        Content::Text(text) => text.trim().parse::<u32>().ok(),
        Content::Button { data, .. } => data.strip_prefix("q:").and_then(|n| n.parse().ok()),
        Content::Command { .. } => None,
    };
    let Some(quantity) = typed.filter(|n| (1..=MAX_QUANTITY).contains(n)) else {
        let text = ctx.t("shop-bad-quantity");
        ctx.reply(text).await?;
        return Ok(Step::Next(OrderState::Quantity { product }));
    };
    ask_address(ctx).await?;
    Ok(Step::Next(OrderState::Address { product, quantity }))
}

/// Asks for the address; offers the remembered one where the person allowed it.
async fn ask_address(ctx: &mut Ctx) -> HandlerResult {
    let mut text = ctx.t("shop-ask-address");
    let mut buttons = Buttons::none();
    if ctx.consented(REMEMBER).await? {
        if let Some(saved) = ctx.data(SAVED_ADDRESS).get::<String>("last").await? {
            let short: String = saved.chars().take(40).collect();
            let label = ctx.t_with("shop-use-saved", &[("address", short.into())]);
            buttons = Buttons::row([Button::new(label, "a:saved")]);
        }
    } else {
        text.push('\n');
        text.push_str(&ctx.t("shop-address-hint"));
    }
    ctx.ask(text, buttons).await?;
    Ok(())
}

async fn address(ctx: &mut Ctx, product: String, quantity: u32) -> Next {
    let address = if ctx.incoming().button() == Some("a:saved") {
        ctx.data(SAVED_ADDRESS)
            .get::<String>("last")
            .await?
            .unwrap_or_default()
    } else {
        ctx.incoming()
            .text()
            .map(str::trim)
            .unwrap_or_default()
            .to_owned()
    };
    if !ADDRESS_LEN.contains(&address.chars().count()) {
        let text = ctx.t("shop-bad-address");
        ctx.reply(text).await?;
        return Ok(Step::Next(OrderState::Address { product, quantity }));
    }
    let Some(item) = Product::find(&product) else {
        return ask_product(ctx).await;
    };
    let total = u64::from(item.cents) * u64::from(quantity);
    let text = ctx.t_with(
        "shop-confirm",
        &[
            ("quantity", quantity.into()),
            ("product", ctx.t(item.name).into()),
            ("total", euros(total).into()),
            ("address", address.clone().into()),
        ],
    );
    let buttons = Buttons::row([
        Button::new(ctx.t("shop-button-confirm"), "o:confirm"),
        Button::new(ctx.t("shop-button-cancel"), "o:cancel"),
    ]);
    ctx.ask(text, buttons).await?;
    Ok(Step::Next(OrderState::Confirm {
        product,
        quantity,
        address,
    }))
}

async fn confirm(ctx: &mut Ctx, product: String, quantity: u32, address: String) -> Next {
    match ctx.incoming().button() {
        Some("o:confirm") => {}
        Some("o:cancel") => {
            let text = ctx.t("shop-cancelled");
            ctx.reply(text).await?;
            return Ok(Step::Done);
        }
        _ => {
            let text = ctx.t("shop-use-buttons");
            ctx.reply(text).await?;
            return Ok(Step::Next(OrderState::Confirm {
                product,
                quantity,
                address,
            }));
        }
    }
    let Some(item) = Product::find(&product) else {
        return ask_product(ctx).await;
    };
    let store = std::sync::Arc::clone(&ctx.services().store);
    let number = store.next_number("order").await?;
    let order = Order {
        number,
        total_cents: u64::from(item.cents) * u64::from(quantity),
        product,
        quantity,
        address,
        placed_at: ctx.now().to_rfc3339(),
    };
    if ctx.consented(REMEMBER).await? {
        ctx.data(SAVED_ADDRESS).put("last", &order.address).await?;
    }
    ctx.data(ORDERS).put(&number.to_string(), &order).await?;
    let text = ctx.t_with("shop-placed", &[("number", number.into())]);
    ctx.reply(text).await?;
    Ok(Step::Done)
}
