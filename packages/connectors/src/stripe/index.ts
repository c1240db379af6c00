export {
  createStripeGateway,
  type StripeGatewayAdapter,
  type StripeGatewayOptions,
  type VerifiedStripeEvent,
} from "./stripe-gateway";
