import { type SectionTab, SectionTabs } from "../../components/section-tabs";
import { Routes } from "../../router";
import { NotFoundPage } from "../error-pages";
import { ClientsOverviewPage } from "./clients-overview";
import { ContractEditorPage } from "./contract-editor";
import { InvoiceReviewPage } from "./invoice-review";
import { InvoicesPage } from "./invoices-list";

const accountsTabs: SectionTab[] = [
  { href: "/accounts", label: "Clients" },
  { href: "/accounts/invoices", label: "Invoices", match: "prefix" },
];

/**
 * The Accounts area (account managers, owners, admins): clients with their contracts and invoice
 * status, the contract editor, invoices by month and the draft review.
 *
 *   #/accounts                               clients overview
 *   #/accounts/clients/:clientId/contract    contract editor (?contract=<id>|new)
 *   #/accounts/invoices                      invoices (?period=YYYY-MM&status=draft|finalized)
 *   #/accounts/invoices/:invoiceId           review one invoice
 */
export function AccountsPage() {
  return (
    <div class="accounts">
      <SectionTabs label="Accounts sections" tabs={accountsTabs} />
      <Routes
        routes={[
          { path: "/accounts", component: ClientsOverviewPage },
          { path: "/accounts/clients/:clientId/contract", component: ContractEditorPage },
          { path: "/accounts/invoices", component: InvoicesPage },
          { path: "/accounts/invoices/:invoiceId", component: InvoiceReviewPage },
        ]}
        fallback={NotFoundPage}
      />
    </div>
  );
}
