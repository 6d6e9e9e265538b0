import { PropsWithChildren } from 'react';
import {
  Sidebar,
  SidebarItem,
  SidebarPage,
} from '@backstage/core-components';
import HomeIcon from '@material-ui/icons/Home';
// adopter-check: sidebar-imports

export const Root = ({ children }: PropsWithChildren<{}>) => (
  <SidebarPage>
    <Sidebar>
      <SidebarItem icon={HomeIcon} to="catalog" text="Home" />
      {/* adopter-check: sidebar-items */}
    </Sidebar>
    {children}
  </SidebarPage>
);
